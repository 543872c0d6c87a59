package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PodDemand;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How much a placement would change a node's fragmentation (the "gradient" FGD descends): the measure after minus the
 * measure before, against the current target workload. The workload is re-read every {@code refreshEvery} changes, and
 * measures of simple nodes (one model, all GPUs healthy and out of MIG mode, at most ten) are memoised by their free
 * CPU, memory and sorted free GPU capacities, so that nodes in the same state cost one computation. Thread-safe.
 */
public final class FragmentationGradient {
    private static final int MEMO_LIMIT = 2_000_000;

    private final TargetWorkload workload;
    private final boolean countMemory;
    private final long refreshEvery;
    private final Map<StateKey, Double> memo = new ConcurrentHashMap<>();
    private volatile FragmentationMeasure measure;
    private long measuredVersion = Long.MIN_VALUE;

    public FragmentationGradient(TargetWorkload workload, boolean countMemory, long refreshEvery) {
        if (refreshEvery < 1) {
            throw new IllegalArgumentException("refreshEvery must be at least 1, got " + refreshEvery);
        }
        this.workload = workload;
        this.countMemory = countMemory;
        this.refreshEvery = refreshEvery;
        refresh(true);
    }

    /** Tells the workload about an arriving pod. */
    public synchronized void observe(PodDemand pod) {
        workload.observe(pod);
        refresh(false);
    }

    private synchronized void refresh(boolean force) {
        long v = workload.version();
        if (force || v - measuredVersion >= refreshEvery) {
            measure = new FragmentationMeasure(workload.mix(), countMemory);
            measuredVersion = v;
            memo.clear();
        }
    }

    /** The workload version the measure was last built from: the measure changes only when this does. */
    public synchronized long measureVersion() {
        return measuredVersion;
    }

    /** The node's fragmentation now. */
    public double of(NodeView node) {
        return of(node, -1, 0, 0, 0);
    }

    /** Fragmentation after taking {@code milli} from the GPU at {@code position} and the pod's CPU and memory. */
    public double afterFraction(NodeView node, int position, int milli, long cpuMilli, long memoryMib) {
        return of(node, position, milli, cpuMilli, memoryMib);
    }

    /** Fragmentation after the pod takes {@code assignment}. */
    public double after(NodeView node, PodDemand pod, Assignment assignment) {
        if (assignment.containers().size() == 1) {
            Assignment.ContainerAssignment c = assignment.containers().getFirst();
            if (c.gpuPositions().isEmpty()) {
                return of(node, -1, 0, pod.cpuMilli(), pod.memoryMib());
            }
            if (c.gpuPositions().size() == 1 && c.milliPerGpu() > 0 && c.deviceIds().getFirst().equals(node.gpus().get(c.gpuPositions().getFirst()).uuid())) {
                return of(node, c.gpuPositions().getFirst(), c.milliPerGpu(), pod.cpuMilli(), pod.memoryMib());
            }
        } else if (assignment.containers().isEmpty()) {
            return of(node, -1, 0, pod.cpuMilli(), pod.memoryMib());
        }
        return of(NodeViews.apply(node, pod, assignment));
    }

    private double of(NodeView node, int position, int milli, long cpuMilli, long memoryMib) {
        FragmentationMeasure m = measure;
        int g = node.gpus().size();
        int[] free = new int[g];
        boolean[] usable = new boolean[g];
        String[] models = new String[g];
        boolean simple = g <= 10;
        String model = g == 0 ? "" : node.gpus().getFirst().model();
        for (int i = 0; i < g; i++) {
            GpuView gpu = node.gpus().get(i);
            free[i] = gpu.healthy() ? gpu.freeMilli() : 0;
            if (i == position) {
                free[i] -= milli;
            }
            usable[i] = gpu.healthy() && !gpu.migEnabled();
            models[i] = gpu.model();
            simple &= usable[i] && gpu.model().equals(model);
        }
        long cpu = subtract(node.cpuMilliFree(), cpuMilli);
        long mem = subtract(node.memoryMibFree(), memoryMib);
        if (!simple) {
            return m.of(cpu, mem, free, usable, models);
        }
        StateKey key = StateKey.of(model, cpu, countMemory ? mem : 0, free);
        Double known = memo.get(key);
        if (known != null) {
            return known;
        }
        double value = m.of(cpu, mem, free, usable, models);
        if (memo.size() > MEMO_LIMIT) {
            memo.clear();
        }
        memo.put(key, value);
        return value;
    }

    private static long subtract(long free, long taken) {
        return free == Long.MAX_VALUE ? free : free - taken;
    }

    /** A node state up to the order of its GPUs: model, free CPU and memory, and free thousandths sorted, 11 bits each. */
    private record StateKey(String model, long cpu, long mem, long low, long high) {
        static StateKey of(String model, long cpu, long mem, int[] free) {
            int[] sorted = free.clone();
            java.util.Arrays.sort(sorted);
            long low = sorted.length;
            long high = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (i < 5) {
                    low |= ((long) sorted[i] & 0x7FF) << (4 + 11 * i);
                } else {
                    high |= ((long) sorted[i] & 0x7FF) << (11 * (i - 5));
                }
            }
            return new StateKey(model, cpu, mem, low, high);
        }
    }
}
