package dev.tangram.core.placement;

import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.topology.GpuSetAllocator;
import dev.tangram.core.placement.topology.TopologyScorer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every way one container's demand could be met on one node, as it stands: the alternatives a policy chooses among.
 * Whole-GPU sets are enumerated exhaustively up to {@link #MAX_SETS} combinations; beyond that, the best-connected set
 * ({@link GpuSetAllocator}, the device plugin's choice too) comes first, then one greedy set from each start GPU.
 */
public final class DeviceCandidates {
    /** Above this many combinations, whole-GPU sets are built greedily from each start GPU instead. */
    public static final int MAX_SETS = 512;

    private DeviceCandidates() {
    }

    /** The alternatives for {@code demand} of container {@code c}, or an empty list when none exists. */
    public static List<Assignment.ContainerAssignment> of(NodeView node, PodDemand pod, ContainerDemand c) {
        return switch (c.demand()) {
            case GpuDemand.WholeGpus w -> wholeSets(node, pod, c, w.count());
            case GpuDemand.GpuFraction f -> fractions(node, pod, c, f.milli());
            case GpuDemand.SharedReplicas r -> replicas(node, pod, c, r.count());
            case GpuDemand.MigDevices m -> migDevices(node, pod, c, m);
        };
    }

    static List<GpuView> eligible(NodeView node, PodDemand pod) {
        List<GpuView> out = new ArrayList<>(node.gpus().size());
        for (GpuView g : node.gpus()) {
            if (g.healthy() && pod.acceptsModel(g.model())) {
                out.add(g);
            }
        }
        return out;
    }

    private static List<Assignment.ContainerAssignment> wholeSets(NodeView node, PodDemand pod, ContainerDemand c, int n) {
        List<GpuView> free = new ArrayList<>(node.gpus().size());
        for (GpuView g : eligible(node, pod)) {
            if (g.wholeFree()) {
                free.add(g);
            }
        }
        List<Assignment.ContainerAssignment> out = new ArrayList<>();
        if (free.size() < n) {
            return out;
        }
        if (binomial(free.size(), n) <= MAX_SETS) {
            combinations(free, n, 0, new ArrayList<>(), sets -> out.add(whole(c, sets)));
        } else {
            TopologyScorer scorer = TopologyScorer.of(node);
            Set<Integer> positions = new LinkedHashSet<>();
            free.forEach(g -> positions.add(g.position()));
            int[] best = new GpuSetAllocator(scorer).choose(positions, Set.of(), n).orElseThrow();
            List<GpuView> bestSet = new ArrayList<>();
            for (int p : best) {
                bestSet.add(node.gpus().get(p));
            }
            out.add(whole(c, bestSet));
            for (GpuView start : free) {
                Assignment.ContainerAssignment greedy = whole(c, greedyFrom(scorer, free, start, n));
                if (!greedy.gpuPositions().equals(out.getFirst().gpuPositions())) {
                    out.add(greedy);
                }
            }
        }
        return out;
    }

    private static List<GpuView> greedyFrom(TopologyScorer scorer, List<GpuView> free, GpuView start, int n) {
        List<GpuView> chosen = new ArrayList<>(List.of(start));
        List<GpuView> rest = new ArrayList<>(free);
        rest.remove(start);
        while (chosen.size() < n) {
            GpuView best = rest.stream().max(Comparator.comparingLong(g -> {
                List<Integer> positions = new ArrayList<>(chosen.stream().map(GpuView::position).toList());
                positions.add(g.position());
                return scorer.score(positions);
            })).orElseThrow();
            chosen.add(best);
            rest.remove(best);
        }
        chosen.sort(Comparator.comparingInt(GpuView::position));
        return chosen;
    }

    private static Assignment.ContainerAssignment whole(ContainerDemand c, List<GpuView> gpus) {
        String[] ids = new String[gpus.size()];
        Integer[] positions = new Integer[gpus.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = gpus.get(i).uuid();
            positions[i] = gpus.get(i).position();
        }
        return new Assignment.ContainerAssignment(c.container(), c.resource(), List.of(ids), List.of(positions), 1000);
    }

    private static List<Assignment.ContainerAssignment> fractions(NodeView node, PodDemand pod, ContainerDemand c, int milli) {
        List<Assignment.ContainerAssignment> out = new ArrayList<>();
        for (GpuView g : eligible(node, pod)) {
            if (!g.migEnabled() && g.freeMilli() >= milli) {
                out.add(new Assignment.ContainerAssignment(c.container(), c.resource(), List.of(g.uuid()), List.of(g.position()), milli));
            }
        }
        return out;
    }

    private static List<Assignment.ContainerAssignment> replicas(NodeView node, PodDemand pod, ContainerDemand c, int count) {
        return eligible(node, pod).stream()
                .filter(g -> g.shared() && g.freeReplicaIds().size() >= count)
                .map(g -> new Assignment.ContainerAssignment(c.container(), c.resource(), g.freeReplicaIds().subList(0, count),
                        List.of(g.position()), replicaMilli(g, count)))
                .toList();
    }

    /** Thousandths of a GPU that {@code count} of its replicas stand for. */
    public static int replicaMilli(GpuView g, int count) {
        return Math.min(1000, (int) Math.ceil(1000.0 * count / g.replicas()));
    }

    private static List<Assignment.ContainerAssignment> migDevices(NodeView node, PodDemand pod, ContainerDemand c,
                                                                  GpuDemand.MigDevices m) {
        List<GpuView.FreeMigDevice> free = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (GpuView g : eligible(node, pod)) {
            for (GpuView.FreeMigDevice d : g.freeMigDevices()) {
                if (d.profile().equals(m.profile()) || TangramNames.migResource(d.profile()).equals(c.resource())) {
                    free.add(d);
                    positions.add(g.position());
                }
            }
        }
        List<Assignment.ContainerAssignment> out = new ArrayList<>();
        if (free.size() < m.count()) {
            return out;
        }
        // Alternatives: the first `count` free devices starting at each GPU that has one (fills one GPU before the next).
        for (int start = 0; start < free.size(); start++) {
            if (start > 0 && positions.get(start).equals(positions.get(start - 1))) {
                continue;
            }
            List<String> ids = new ArrayList<>();
            List<Integer> touched = new ArrayList<>();
            for (int k = 0; k < free.size() && ids.size() < m.count(); k++) {
                int idx = (start + k) % free.size();
                ids.add(free.get(idx).uuid());
                if (!touched.contains(positions.get(idx))) {
                    touched.add(positions.get(idx));
                }
            }
            out.add(new Assignment.ContainerAssignment(c.container(), c.resource(), ids, touched, 0));
        }
        return out;
    }

    private static long binomial(int n, int k) {
        long r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
            if (r > Integer.MAX_VALUE) {
                return r;
            }
        }
        return r;
    }

    private static void combinations(List<GpuView> items, int k, int from, List<GpuView> current,
                                     java.util.function.Consumer<List<GpuView>> sink) {
        if (current.size() == k) {
            sink.accept(List.copyOf(current));
            return;
        }
        for (int i = from; i <= items.size() - (k - current.size()); i++) {
            current.add(items.get(i));
            combinations(items, k, i + 1, current, sink);
            current.removeLast();
        }
    }
}
