package dev.tangram.extender;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.core.placement.NodeView;
import dev.tangram.extender.placement.NodeFilter;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.VictimSelector;
import dev.tangram.extender.state.BindReservation;
import dev.tangram.extender.state.ClusterSnapshot;
import dev.tangram.extender.state.ClusterState;
import dev.tangram.extender.state.GangVerdict;
import dev.tangram.extender.state.NodeEntry;
import dev.tangram.extender.state.NodeSource;
import dev.tangram.extender.state.PodInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The four verbs, free of HTTP and of the Kubernetes client: filter and prioritize read one snapshot of the cluster state
 * and make no API call; bind reserves devices in memory, then writes through the {@link PodBinder}; preempt narrows
 * victims. Full-NodeList requests pass the nodes they carry ({@code requestNodes}); cache-capable ones pass none.
 */
public final class GpuExtender {
    private final ClusterState state;
    private final NodeScorer scorer;
    private final PodBinder binder;
    private final ExtenderMetrics metrics;
    private final Supplier<Optional<String>> bindRefusal;
    private final dev.tangram.extender.placement.FitCache fits = new dev.tangram.extender.placement.FitCache();
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 20_000;
        }
    };

    /**
     * @param bindRefusal why this replica must not bind now (not the leader), or empty when it may
     */
    public GpuExtender(ClusterState state, NodeScorer scorer, PodBinder binder, ExtenderMetrics metrics,
                       Supplier<Optional<String>> bindRefusal) {
        this.state = state;
        this.scorer = scorer;
        this.binder = binder;
        this.metrics = metrics;
        this.bindRefusal = bindRefusal;
    }

    public ClusterState state() {
        return state;
    }

    public NodeFilter.Outcome filter(PodInfo pod, List<String> names, Optional<Map<String, NodeSource>> requestNodes) {
        if (pod.demand().needsGpu() && firstSight(pod.uid())) {
            scorer.policy().arrived(pod.demand());
        }
        ClusterSnapshot snapshot = state.snapshot();
        NodeFilter.Outcome outcome;
        if (pod.gang().isPresent() && pod.problem().isEmpty() && pod.demand().needsGpu()) {
            outcome = gangFilter(pod, names, requestNodes);
        } else if (requestNodes.isEmpty() && pod.problem().isEmpty() && pod.demand().needsGpu()) {
            List<String> looked = new ArrayList<>(names.size());
            List<NodeEntry> found = new ArrayList<>(names.size());
            outcome = NodeFilter.filter(pod, names, name -> {
                Optional<NodeEntry> entry = snapshot.node(name);
                looked.add(name);
                found.add(entry.orElse(null));
                return entry;
            }, fits);
            lastFilter = new FilterMemo(pod.uid(), snapshot.version(), looked, found);
        } else {
            outcome = NodeFilter.filter(pod, names, entries(snapshot, requestNodes), fits);
        }
        metrics.decision("filter", "passed", outcome.passed().size());
        outcome.reasonClasses().forEach((reason, count) -> metrics.rejection("filter", reason, count));
        return outcome;
    }

    /** True the first time a pod UID reaches filter (retries of an unschedulable pod are not new arrivals). */
    private boolean firstSight(String uid) {
        synchronized (seen) {
            return seen.put(uid, Boolean.TRUE) == null;
        }
    }

    private NodeFilter.Outcome gangFilter(PodInfo pod, List<String> names, Optional<Map<String, NodeSource>> requestNodes) {
        GangVerdict verdict = state.gangFilter(pod, names,
                name -> requestNodes.map(m -> m.get(name)), scorer.policy());
        return switch (verdict) {
            case GangVerdict.Rejected r -> NodeFilter.Outcome.allUnresolvable(names, r.reason(), "gang");
            case GangVerdict.Planned p -> {
                Map<String, String> others = new LinkedHashMap<>();
                List<String> passed = new ArrayList<>();
                String gang = pod.gang().get().key();
                for (String name : names) {
                    if (name.equals(p.node())) {
                        passed.add(name);
                    } else {
                        others.put(name, "gang " + gang + " plans pod " + pod.key() + " on node " + p.node());
                    }
                }
                yield new NodeFilter.Outcome(passed, Map.of(), others, others.isEmpty() ? Map.of() : Map.of("gang", (long) others.size()));
            }
        };
    }

    public List<NodeScorer.HostScore> prioritize(PodInfo pod, List<String> names, Optional<Map<String, NodeSource>> requestNodes) {
        Optional<String> planned = state.plannedNode(pod);
        if (planned.isPresent()) {
            return names.stream().map(n -> new NodeScorer.HostScore(n, n.equals(planned.get()) ? NodeScorer.MAX_SCORE : 0)).toList();
        }
        if (!pod.problem().isEmpty()) {
            return names.stream().map(n -> new NodeScorer.HostScore(n, 0)).toList();
        }
        ClusterSnapshot snapshot = state.snapshot();
        List<Optional<NodeEntry>> found = requestNodes.isEmpty() ? fromFilter(pod, snapshot, names) : null;
        Function<String, Optional<NodeEntry>> entries = entries(snapshot, requestNodes);
        List<Optional<NodeView>> views = new ArrayList<>(names.size());
        List<Object> shapes = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            Optional<NodeEntry> entry = found != null ? found.get(i) : entries.apply(names.get(i));
            views.add(entry.flatMap(NodeEntry::view));
            shapes.add(entry.flatMap(NodeEntry::shape).orElse(null));
        }
        return scorer.score(names, views, shapes, pod.demand());
    }

    /**
     * What the last filter looked up, in request order: kube-scheduler sends prioritize right after filter, for the same
     * pod and the names that passed, so prioritize can take the entries filter found instead of looking every name up
     * again (on thousands of names the lookups, cache misses in a large map, are most of the cost).
     */
    private record FilterMemo(String podUid, long snapshotVersion, List<String> names, List<NodeEntry> entries) {
    }

    private volatile FilterMemo lastFilter;

    /**
     * The entries of {@code names} as the last filter found them, when that filter was for this pod on this very snapshot
     * and {@code names} is a subsequence of its names (the ones that passed, in order); null otherwise.
     */
    private List<Optional<NodeEntry>> fromFilter(PodInfo pod, ClusterSnapshot snapshot, List<String> names) {
        FilterMemo memo = lastFilter;
        if (memo == null || memo.snapshotVersion() != snapshot.version() || !memo.podUid().equals(pod.uid())) {
            return null;
        }
        List<Optional<NodeEntry>> out = new ArrayList<>(names.size());
        int j = 0;
        for (String name : names) {
            while (j < memo.names().size() && !memo.names().get(j).equals(name)) {
                j++;
            }
            if (j == memo.names().size()) {
                return null;
            }
            out.add(Optional.ofNullable(memo.entries().get(j)));
            j++;
        }
        return out;
    }

    private Function<String, Optional<NodeEntry>> entries(ClusterSnapshot snapshot, Optional<Map<String, NodeSource>> requestNodes) {
        if (requestNodes.isEmpty()) {
            return snapshot::node;
        }
        Map<String, NodeSource> given = requestNodes.get();
        return name -> Optional.ofNullable(given.get(name)).map(src -> state.entryFromRequest(snapshot, src));
    }

    /** Bind; the answer is empty on success, else the error for {@code ExtenderBindingResult.Error}. */
    public Optional<String> bind(String namespace, String name, String uid, String node) {
        Optional<String> error = bindOnce(namespace, name, uid, node);
        if (error.isEmpty()) {
            metrics.decision("bind", "bound", 1);
        } else {
            metrics.rejection("bind", "error", 1);
        }
        return error;
    }

    private Optional<String> bindOnce(String namespace, String name, String uid, String node) {
        if (namespace.isBlank() || name.isBlank() || uid.isBlank() || node.isBlank()) {
            return Optional.of("bind needs PodName, PodNamespace, PodUID and Node; got PodName='" + name + "' PodNamespace='"
                    + namespace + "' PodUID='" + uid + "' Node='" + node + "'");
        }
        Optional<String> refusal = bindRefusal.get();
        if (refusal.isPresent()) {
            return refusal;
        }
        PodInfo pod;
        try {
            Optional<PodInfo> known = state.podByKey(namespace, name).filter(p -> p.uid().equals(uid));
            pod = known.isPresent() ? known.get() : binder.fetch(namespace, name)
                    .orElseThrow(() -> new PodBinder.BindException("pod " + namespace + "/" + name + " does not exist"));
        } catch (PodBinder.BindException e) {
            return Optional.of(e.getMessage());
        }
        if (!pod.uid().equals(uid)) {
            return Optional.of("pod " + pod.key() + " has UID " + pod.uid() + ", the bind asked for " + uid + " (recreated?)");
        }
        if (!pod.problem().isEmpty()) {
            return Optional.of("pod " + pod.key() + ": " + pod.problem());
        }
        if (pod.bound()) {
            return pod.nodeName().equals(node) ? Optional.empty()
                    : Optional.of("pod " + pod.key() + " is already bound to node " + pod.nodeName());
        }
        if (!pod.demand().needsGpu()) {
            return write(pod, node, Optional.empty(), false);
        }
        return switch (state.reserve(pod, node, scorer.policy())) {
            case BindReservation.Refused r -> Optional.of(r.reason());
            case BindReservation.Reserved r -> {
                Optional<String> error = write(pod, node, Optional.of(r.decision()), r.fresh());
                if (error.isEmpty()) {
                    r.assignment().ifPresent(a -> scorer.policy().bound(pod.demand(), a));
                }
                yield error;
            }
        };
    }

    private Optional<String> write(PodInfo pod, String node, Optional<PlacementDecision> decision, boolean fresh) {
        try {
            binder.bind(pod, node, decision);
            return Optional.empty();
        } catch (PodBinder.BindException | RuntimeException e) {
            if (fresh) {
                state.release(pod.uid());
            }
            return Optional.of("binding pod " + pod.key() + " to " + node + " failed: " + e.getMessage());
        }
    }

    /**
     * Preempt: per node, the victims whose GPUs the pod needs (see {@link VictimSelector}); nodes where evicting the
     * victims would not make the pod fit are dropped. Nodes this extender has no inventory for keep their victims.
     *
     * @param victims       victim UIDs per node, as proposed
     * @param victimDevices device IDs of victims known from the request's whole pods (their decision annotations)
     */
    public Map<String, List<String>> preempt(PodInfo pod, Map<String, List<String>> victims, Map<String, List<String>> victimDevices) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (!pod.demand().needsGpu() || !pod.problem().isEmpty()) {
            out.putAll(victims);
            return out;
        }
        ClusterSnapshot snapshot = state.snapshot();
        for (Map.Entry<String, List<String>> e : victims.entrySet()) {
            String node = e.getKey();
            Optional<NodeEntry> entry = snapshot.node(node);
            if (entry.isEmpty() || entry.get().view().isEmpty()) {
                out.put(node, e.getValue());
                continue;
            }
            Optional<List<String>> narrowed = VictimSelector.narrow(e.getValue(),
                    v -> !victimDevices.getOrDefault(v, List.of()).isEmpty() || !state.devicesOf(v).isEmpty(),
                    without -> state.viewWithout(node, without).map(view -> NodeFit.check(view, pod.demand()).fits()).orElse(false));
            narrowed.ifPresentOrElse(list -> out.put(node, list), () -> metrics.rejection("preempt", "victims-do-not-help", 1));
        }
        return out;
    }
}
