package dev.tangram.extender.state;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.FitResult;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.extender.placement.GangPlanner;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the extender knows about the cluster: node inventories, pods and the devices they hold, its own assumed
 * decisions and gang reservations. Informers write into it; requests read immutable {@link ClusterSnapshot}s rebuilt
 * lazily for the nodes that changed. Every change and every device reservation happens under one lock, so two binds can
 * never take the same device. Time comes from an injectable {@link Clock}.
 */
public final class ClusterState {
    private final Clock clock;
    private final Duration assumeTtl;
    private final Duration gangTtl;

    private final Map<String, NodeSource> nodes = new HashMap<>();
    private final Map<String, PodInfo> pods = new HashMap<>();
    private final Map<String, String> uidByKey = new HashMap<>();
    private final Map<String, Set<String>> holdersByNode = new HashMap<>();
    private final Map<String, Set<String>> anonymousByNode = new HashMap<>();
    /** Unbound pods carrying a decision: it holds their devices until it expires ({@code assumeTtl} after it was made). */
    private final Map<String, Instant> unboundDecisions = new HashMap<>();
    private final Map<String, AssumedDecision> assumed = new LinkedHashMap<>();
    private final Map<String, GangPlan> gangs = new LinkedHashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Map<NodeShape, NodeShape> shapes = new HashMap<>();
    private boolean nodeSetChanged;
    private long version;
    private volatile ClusterSnapshot published = ClusterSnapshot.empty();

    public ClusterState(Clock clock, Duration assumeTtl, Duration gangTtl) {
        this.clock = clock;
        this.assumeTtl = assumeTtl;
        this.gangTtl = gangTtl;
    }

    public Instant now() {
        return clock.instant();
    }

    // ---------------------------------------------------------------- informer input

    public synchronized void upsertNode(NodeSource node) {
        NodeSource old = nodes.put(node.name(), node);
        if (old == null || !old.equals(node)) {
            dirty.add(node.name());
            nodeSetChanged |= old == null;
        }
    }

    public synchronized void removeNode(String name) {
        if (nodes.remove(name) != null) {
            dirty.add(name);
            nodeSetChanged = true;
        }
    }

    public synchronized void upsertPod(PodInfo pod) {
        PodInfo old = pods.put(pod.uid(), pod);
        uidByKey.put(pod.key(), pod.uid());
        if (old != null) {
            unindex(old);
        }
        index(pod);
        if (pod.holding().isPresent() || pod.terminated()) {
            AssumedDecision a = assumed.remove(pod.uid());
            if (a != null) {
                dirty.add(a.decision().node());
            }
        }
    }

    public synchronized void removePod(String uid) {
        PodInfo old = pods.remove(uid);
        if (old != null) {
            uidByKey.remove(old.key(), uid);
            unindex(old);
            old.gang().ifPresent(g -> releaseGang(g.key()));
        }
        AssumedDecision a = assumed.remove(uid);
        if (a != null) {
            dirty.add(a.decision().node());
        }
    }

    private void index(PodInfo p) {
        Optional<PodInfo.Holding> h = p.holding();
        if (h.isPresent() && !p.bound() && p.ownDecision().isPresent()) {
            Instant decided = p.ownDecision().get().decidedAt();
            if (decided.plus(assumeTtl).isBefore(clock.instant())) {
                return;
            }
            unboundDecisions.put(p.uid(), decided);
        }
        if (h.isPresent()) {
            holdersByNode.computeIfAbsent(h.get().node(), n -> new LinkedHashSet<>()).add(p.uid());
            dirty.add(h.get().node());
        } else if (p.bound() && !p.terminated() && p.demand().needsGpu()) {
            anonymousByNode.computeIfAbsent(p.nodeName(), n -> new LinkedHashSet<>()).add(p.uid());
            dirty.add(p.nodeName());
        }
    }

    private void unindex(PodInfo p) {
        unboundDecisions.remove(p.uid());
        p.holding().ifPresent(h -> {
            removeFrom(holdersByNode, h.node(), p.uid());
            dirty.add(h.node());
        });
        if (p.bound()) {
            if (removeFrom(anonymousByNode, p.nodeName(), p.uid())) {
                dirty.add(p.nodeName());
            }
        }
    }

    private static boolean removeFrom(Map<String, Set<String>> index, String node, String uid) {
        Set<String> set = index.get(node);
        if (set == null || !set.remove(uid)) {
            return false;
        }
        if (set.isEmpty()) {
            index.remove(node);
        }
        return true;
    }

    // ---------------------------------------------------------------- snapshots

    /** The current snapshot: expired decisions and reservations dropped, changed nodes rebuilt. */
    public synchronized ClusterSnapshot snapshot() {
        expire(clock.instant());
        if (dirty.isEmpty() && !nodeSetChanged) {
            return published;
        }
        Map<String, NodeEntry> entries = new HashMap<>(published.nodes());
        for (String name : dirty) {
            NodeSource src = nodes.get(name);
            if (src == null) {
                entries.remove(name);
            } else {
                entries.put(name, build(src, Set.of()));
            }
        }
        dirty.clear();
        nodeSetChanged = false;
        published = new ClusterSnapshot(++version, entries);
        return published;
    }

    /**
     * The entry for a node as a full-NodeList request describes it: the snapshot's entry when the request carries the
     * same inventory, otherwise one built from the request's inventory with the devices this state knows to be taken.
     */
    public NodeEntry entryFromRequest(ClusterSnapshot snapshot, NodeSource fromRequest) {
        NodeEntry known = snapshot.nodes().get(fromRequest.name());
        if (known != null && known.source().annotation().equals(fromRequest.annotation())) {
            return known;
        }
        synchronized (this) {
            return build(fromRequest, Set.of());
        }
    }

    /** The node with the devices of {@code withoutPods} given back (what preemption of those pods would leave). */
    public synchronized Optional<NodeView> viewWithout(String node, Set<String> withoutPods) {
        NodeSource src = nodes.get(node);
        if (src == null || src.inventory().isEmpty()) {
            return Optional.empty();
        }
        return build(src, withoutPods).view();
    }

    /** Device IDs held on {@code node} by {@code podUid} (its annotation, what the plugin recorded, or an assumed decision). */
    public synchronized List<String> devicesOf(String podUid) {
        PodInfo p = pods.get(podUid);
        if (p != null && p.holding().isPresent()) {
            return p.holding().get().deviceIds();
        }
        AssumedDecision a = assumed.get(podUid);
        return a == null ? List.of() : a.decision().containers().stream().flatMap(c -> c.deviceIds().stream()).toList();
    }

    private NodeEntry build(NodeSource src, Set<String> withoutPods) {
        if (src.inventory().isEmpty()) {
            return new NodeEntry(src, Optional.empty(), Optional.empty());
        }
        NodeInventory inv = src.inventory().get();
        Set<String> used = new HashSet<>();
        for (String uid : holdersByNode.getOrDefault(src.name(), Set.of())) {
            if (!withoutPods.contains(uid)) {
                used.addAll(pods.get(uid).holding().orElseThrow().deviceIds());
            }
        }
        for (Map.Entry<String, AssumedDecision> e : assumed.entrySet()) {
            if (e.getValue().decision().node().equals(src.name()) && !withoutPods.contains(e.getKey())) {
                e.getValue().decision().containers().forEach(c -> used.addAll(c.deviceIds()));
            }
        }
        for (GangPlan plan : gangs.values()) {
            for (GangPlan.Slot s : plan.slots()) {
                if (!s.bound() && s.node().equals(src.name())) {
                    used.addAll(s.deviceIds());
                }
            }
        }
        NodeView view = NodeViews.fromInventory(inv, used);
        // Pods bound here that ask for GPUs but carry no decision (another scheduler placed them): charge them the
        // devices NodeFit would give them, so that what they use is not offered twice.
        for (String uid : anonymousByNode.getOrDefault(src.name(), Set.of())) {
            if (withoutPods.contains(uid)) {
                continue;
            }
            PodDemand demand = pods.get(uid).demand();
            if (NodeFit.check(view, demand) instanceof FitResult.Fits fits) {
                view = NodeViews.apply(view, demand, fits.assignment());
            }
        }
        if (shapes.size() > 200_000) {
            shapes.clear();
        }
        NodeShape shape = shapes.computeIfAbsent(NodeShape.of(view), k -> k);
        return new NodeEntry(src, Optional.of(view), Optional.of(shape));
    }

    private void expire(Instant now) {
        if (!unboundDecisions.isEmpty()) {
            for (String uid : List.copyOf(unboundDecisions.keySet())) {
                if (unboundDecisions.get(uid).plus(assumeTtl).isBefore(now)) {
                    unindex(pods.get(uid));
                }
            }
        }
        assumed.entrySet().removeIf(e -> {
            boolean old = e.getValue().at().plus(assumeTtl).isBefore(now);
            if (old) {
                dirty.add(e.getValue().decision().node());
            }
            return old;
        });
        for (String key : new ArrayList<>(gangs.keySet())) {
            GangPlan plan = gangs.get(key);
            if (plan.expired(now) || plan.allBound()) {
                releaseGang(key);
            }
        }
    }

    private void releaseGang(String gangKey) {
        GangPlan plan = gangs.remove(gangKey);
        if (plan != null) {
            plan.slots().forEach(s -> dirty.add(s.node()));
        }
    }

    // ---------------------------------------------------------------- bind

    /**
     * Reserves devices for {@code pod} on {@code node}: the gang slot planned for it, or the policy's choice on the node
     * as it is now. Atomic with every other reservation, so concurrent binds never share a device.
     */
    public synchronized BindReservation reserve(PodInfo pod, String node, PlacementPolicy policy) {
        Instant now = clock.instant();
        expire(now);
        AssumedDecision earlier = assumed.get(pod.uid());
        if (earlier != null) {
            return earlier.decision().node().equals(node) ? new BindReservation.Reserved(earlier.decision(), false, Optional.empty())
                    : new BindReservation.Refused("pod " + pod.key() + " is already being bound to node " + earlier.decision().node());
        }
        PodInfo known = pods.get(pod.uid());
        if (known != null && known.ownDecision().isPresent()
                && (known.bound() || !known.ownDecision().get().expired(now, assumeTtl))) {
            PlacementDecision d = known.ownDecision().get();
            return d.node().equals(node) ? new BindReservation.Reserved(d, false, Optional.empty())
                    : new BindReservation.Refused("pod " + pod.key() + " already has devices on node " + d.node());
        }
        if (pod.gang().isPresent()) {
            return reserveGangSlot(pod, node, now);
        }
        NodeSource src = nodes.get(node);
        if (src == null) {
            return new BindReservation.Refused("node " + node + " is not known to the extender");
        }
        NodeEntry entry = build(src, Set.of());
        if (entry.view().isEmpty()) {
            return new BindReservation.Refused("node " + node + ": " + src.problem());
        }
        Optional<PlacementPolicy.ScoredAssignment> placed = policy.place(entry.view().get(), pod.demand());
        if (placed.isEmpty()) {
            FitResult why = NodeFit.check(entry.view().get(), pod.demand());
            String reason = switch (why) {
                case FitResult.Unschedulable u -> u.reason();
                case FitResult.Unresolvable u -> u.reason();
                case FitResult.Fits f -> "policy " + policy.name() + " found no placement";
            };
            return new BindReservation.Refused("pod " + pod.key() + " no longer fits node " + node + ": " + reason);
        }
        PlacementDecision decision = decisionOf(pod.uid(), placed.get().assignment(), now);
        assumed.put(pod.uid(), new AssumedDecision(pod.key(), decision, Optional.empty(), now));
        dirty.add(node);
        return new BindReservation.Reserved(decision, true, Optional.of(placed.get().assignment()));
    }

    private BindReservation reserveGangSlot(PodInfo pod, String node, Instant now) {
        String gangKey = pod.gang().get().key();
        GangPlan plan = gangs.get(gangKey);
        if (plan == null) {
            return new BindReservation.Refused("gang " + gangKey + " has no plan (it expired or was released); the pod must pass filter again");
        }
        int slot = claimSlot(plan, pod);
        if (slot < 0) {
            return new BindReservation.Refused("gang " + gangKey + " has no planned place left for pod " + pod.key());
        }
        plan = gangs.get(gangKey);
        GangPlan.Slot s = plan.slots().get(slot);
        if (!s.node().equals(node)) {
            return new BindReservation.Refused("gang " + gangKey + " planned pod " + pod.key() + " on node " + s.node() + ", not " + node);
        }
        PlacementDecision decision = decisionOf(pod.uid(), s.assignment(), now);
        gangs.put(gangKey, plan.withSlot(slot, s.asBound()));
        assumed.put(pod.uid(), new AssumedDecision(pod.key(), decision, Optional.of(gangKey), now));
        dirty.add(node);
        return new BindReservation.Reserved(decision, true, Optional.of(s.assignment()));
    }

    /** Forgets a reservation whose bind failed: its devices are free again, a gang slot returns to its plan. */
    public synchronized void release(String podUid) {
        AssumedDecision a = assumed.remove(podUid);
        if (a == null) {
            return;
        }
        dirty.add(a.decision().node());
        a.gangKey().ifPresent(key -> {
            GangPlan plan = gangs.get(key);
            if (plan == null) {
                return;
            }
            for (int i = 0; i < plan.slots().size(); i++) {
                GangPlan.Slot s = plan.slots().get(i);
                if (s.memberUid().equals(Optional.of(podUid)) && s.bound()) {
                    gangs.put(key, plan.withSlot(i, new GangPlan.Slot(s.node(), s.demand(), s.assignment(), s.memberUid(), false)));
                    return;
                }
            }
        });
    }

    private static PlacementDecision decisionOf(String uid, Assignment a, Instant now) {
        return new PlacementDecision(uid, a.node(), a.containers().stream()
                .map(c -> new PlacementDecision.ContainerDevices(c.container(), c.resource(), c.deviceIds())).toList(), now);
    }

    // ---------------------------------------------------------------- gangs

    /**
     * The gang rules for one member at filter: follow the gang's plan when there is one; otherwise plan the members still
     * missing over {@code candidates} (the nodes kube-scheduler found feasible) and reserve the plan, or reject the gang
     * whole and hold nothing.
     */
    public synchronized GangVerdict gangFilter(PodInfo pod, Collection<String> candidates,
                                               java.util.function.Function<String, Optional<NodeSource>> requestNodes,
                                               PlacementPolicy policy) {
        Instant now = clock.instant();
        expire(now);
        PodInfo.GangRef gang = pod.gang().orElseThrow();
        GangPlan plan = gangs.get(gang.key());
        if (plan != null) {
            int slot = claimSlot(plan, pod);
            if (slot < 0) {
                return new GangVerdict.Rejected("gang " + gang.key() + " is planned in full (" + plan.size()
                        + " members) and has no place for pod " + pod.key());
            }
            return new GangVerdict.Planned(gangs.get(gang.key()).slots().get(slot).node());
        }
        if (assumed.containsKey(pod.uid())) {
            return new GangVerdict.Planned(assumed.get(pod.uid()).decision().node());
        }
        int placed = placedMembers(gang.key());
        int missing = gang.size() - placed;
        if (missing < 1) {
            return new GangVerdict.Rejected("gang " + gang.key() + " already has its " + gang.size() + " members placed");
        }
        List<PodDemand> demands = new ArrayList<>();
        demands.add(pod.demand());
        for (PodInfo other : pods.values()) {
            if (demands.size() < missing && other.gang().map(g -> g.key().equals(gang.key())).orElse(false)
                    && !other.uid().equals(pod.uid()) && !other.bound() && other.holding().isEmpty() && !other.terminated()
                    && !assumed.containsKey(other.uid())) {
                demands.add(other.demand());
            }
        }
        while (demands.size() < missing) {
            demands.add(pod.demand());
        }
        List<NodeView> views = new ArrayList<>();
        for (String name : candidates) {
            NodeSource src = nodes.containsKey(name) ? nodes.get(name) : requestNodes.apply(name).orElse(null);
            if (src != null && src.inventory().isPresent()) {
                build(src, Set.of()).view().ifPresent(views::add);
            }
        }
        GangPlanner.Outcome outcome = GangPlanner.plan(views, demands, policy);
        if (outcome instanceof GangPlanner.Outcome.Short s) {
            return new GangVerdict.Rejected("gang " + gang.key() + " cannot be placed whole: " + s.placed() + " of " + missing
                    + " missing members fit the " + views.size() + " candidate nodes now; nothing is held");
        }
        List<GangPlanner.Placement> placements = ((GangPlanner.Outcome.Whole) outcome).placements();
        List<GangPlan.Slot> slots = new ArrayList<>();
        for (int i = 0; i < placements.size(); i++) {
            GangPlanner.Placement p = placements.get(i);
            slots.add(new GangPlan.Slot(p.assignment().node(), p.demand(), p.assignment(),
                    i == 0 ? Optional.of(pod.uid()) : Optional.empty(), false));
            dirty.add(p.assignment().node());
        }
        gangs.put(gang.key(), new GangPlan(gang.key(), gang.size(), slots, now, now.plus(gangTtl)));
        return new GangVerdict.Planned(slots.getFirst().node());
    }

    /** The node planned for a gang member, when its gang has a plan with a slot for it. */
    public synchronized Optional<String> plannedNode(PodInfo pod) {
        if (pod.gang().isEmpty()) {
            return Optional.empty();
        }
        GangPlan plan = gangs.get(pod.gang().get().key());
        if (plan == null) {
            return Optional.empty();
        }
        return plan.slots().stream().filter(s -> s.memberUid().equals(Optional.of(pod.uid()))).map(GangPlan.Slot::node).findFirst();
    }

    private int claimSlot(GangPlan plan, PodInfo pod) {
        for (int i = 0; i < plan.slots().size(); i++) {
            if (plan.slots().get(i).memberUid().equals(Optional.of(pod.uid()))) {
                return i;
            }
        }
        for (int i = 0; i < plan.slots().size(); i++) {
            GangPlan.Slot s = plan.slots().get(i);
            if (s.memberUid().isEmpty() && s.demand().containers().equals(pod.demand().containers())) {
                gangs.put(plan.gangKey(), plan.withSlot(i, s.claimedBy(pod.uid())));
                return i;
            }
        }
        return -1;
    }

    private int placedMembers(String gangKey) {
        Set<String> uids = new HashSet<>();
        for (PodInfo p : pods.values()) {
            if (p.gang().map(g -> g.key().equals(gangKey)).orElse(false) && !p.terminated() && (p.bound() || p.holding().isPresent())) {
                uids.add(p.uid());
            }
        }
        for (Map.Entry<String, AssumedDecision> e : assumed.entrySet()) {
            if (e.getValue().gangKey().equals(Optional.of(gangKey))) {
                uids.add(e.getKey());
            }
        }
        return uids.size();
    }

    // ---------------------------------------------------------------- GPU map

    /** The current snapshot with who holds each taken device and the demands of the known GPU pods (the GPU map's input). */
    public synchronized ClusterOccupancy occupancy() {
        ClusterSnapshot snap = snapshot();
        Map<String, Map<String, ClusterOccupancy.Holder>> holders = new HashMap<>();
        holdersByNode.forEach((node, uids) -> {
            for (String uid : uids) {
                PodInfo p = pods.get(uid);
                ClusterOccupancy.Holder h = new ClusterOccupancy.Holder(ClusterOccupancy.HolderKind.POD, p.key());
                p.holding().ifPresent(held -> held.deviceIds().forEach(id -> holders.computeIfAbsent(node, n -> new HashMap<>()).put(id, h)));
            }
        });
        for (AssumedDecision a : assumed.values()) {
            ClusterOccupancy.Holder h = new ClusterOccupancy.Holder(ClusterOccupancy.HolderKind.BINDING, a.podKey());
            a.decision().containers().forEach(c -> c.deviceIds().forEach(
                    id -> holders.computeIfAbsent(a.decision().node(), n -> new HashMap<>()).put(id, h)));
        }
        for (GangPlan plan : gangs.values()) {
            ClusterOccupancy.Holder h = new ClusterOccupancy.Holder(ClusterOccupancy.HolderKind.GANG, plan.gangKey());
            for (GangPlan.Slot s : plan.slots()) {
                if (!s.bound()) {
                    s.deviceIds().forEach(id -> holders.computeIfAbsent(s.node(), n -> new HashMap<>()).put(id, h));
                }
            }
        }
        List<PodDemand> workload = pods.values().stream()
                .filter(p -> !p.terminated() && p.problem().isEmpty() && p.demand().needsGpu())
                .map(PodInfo::demand).toList();
        return new ClusterOccupancy(snap, holders, workload);
    }

    // ---------------------------------------------------------------- figures

    public synchronized Figures figures() {
        long reserved = gangs.values().stream().mapToLong(GangPlan::reservedSlots).sum();
        return new Figures(nodes.size(), pods.size(), assumed.size(), gangs.size(), reserved);
    }

    /** Sizes for metrics and logs. */
    public record Figures(int nodes, int pods, int assumedDecisions, int gangPlans, long reservedSlots) {
    }

    public synchronized Optional<GangPlan> gangPlan(String gangKey) {
        return Optional.ofNullable(gangs.get(gangKey));
    }

    public synchronized Optional<PodInfo> pod(String uid) {
        return Optional.ofNullable(pods.get(uid));
    }

    public synchronized Optional<PodInfo> podByKey(String namespace, String name) {
        String uid = uidByKey.get(namespace + "/" + name);
        return uid == null ? Optional.empty() : Optional.ofNullable(pods.get(uid));
    }
}
