package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;


/**
 * The FGD fragmentation measure (Weng et al., USENIX ATC 2023): for a node and a target workload, the expected GPU
 * capacity (in thousandths of a GPU) that a task drawn from the workload could not use on that node.
 *
 * <p>For each task shape: if the node cannot run the task at all (too little CPU, no GPU of an accepted model, too few GPUs
 * with enough free capacity, or the task needs no GPU) all of the node's free GPU capacity is fragment for that task;
 * otherwise the fragment is the free capacity of the GPUs the task cannot use (less free than it needs per GPU, or of a
 * model it does not accept). The measure is the popularity-weighted sum over shapes. As in the paper host memory is not
 * part of it unless {@code countMemory} is set.
 *
 * <p>Instances precompile one mix; they are immutable and thread-safe.
 */
public final class FragmentationMeasure {
    private final WorkloadMix mix;
    private final boolean countMemory;
    private final long[] cpu;
    private final long[] mem;
    private final int[] milli;
    private final int[] count;
    private final double[] prob;
    private final boolean anyModelConstraint;

    public FragmentationMeasure(WorkloadMix mix, boolean countMemory) {
        this.mix = mix;
        this.countMemory = countMemory;
        int n = mix.size();
        cpu = new long[n];
        mem = new long[n];
        milli = new int[n];
        count = new int[n];
        prob = new double[n];
        boolean constrained = false;
        for (int i = 0; i < n; i++) {
            WorkloadMix.Entry e = mix.entries().get(i);
            cpu[i] = e.shape().cpuMilli();
            mem[i] = e.shape().memoryMib();
            milli[i] = e.shape().gpuMilli();
            count[i] = e.shape().gpuCount();
            prob[i] = e.probability();
            constrained |= !e.shape().models().isEmpty();
        }
        anyModelConstraint = constrained;
    }

    public WorkloadMix mix() {
        return mix;
    }

    /** The measure of a node as it is. */
    public double of(NodeView node) {
        int g = node.gpus().size();
        int[] free = new int[g];
        boolean[] usable = new boolean[g];
        String[] models = new String[g];
        for (int i = 0; i < g; i++) {
            GpuView gpu = node.gpus().get(i);
            free[i] = gpu.healthy() ? gpu.freeMilli() : 0;
            usable[i] = gpu.healthy() && !gpu.migEnabled();
            models[i] = gpu.model();
        }
        return of(node.cpuMilliFree(), node.memoryMibFree(), free, usable, models);
    }

    /**
     * The measure of a node described by its free CPU and memory and, per GPU, its free thousandths, whether fractions and
     * whole GPUs can be taken from it at all (healthy, not in MIG mode) and its model.
     */
    public double of(long cpuFree, long memFree, int[] free, boolean[] usable, String[] models) {
        long total = 0;
        for (int f : free) {
            total += f;
        }
        if (total == 0) {
            return 0;
        }
        double frag = 0;
        for (int s = 0; s < prob.length; s++) {
            frag += prob[s] * unusable(s, cpuFree, memFree, free, usable, models, total);
        }
        return frag;
    }

    private long unusable(int s, long cpuFree, long memFree, int[] free, boolean[] usable, String[] models, long total) {
        if (count[s] == 0 || cpuFree < cpu[s] || (countMemory && memFree < mem[s])) {
            return total;
        }
        int fitting = 0;
        long stranded = 0;
        TaskShape shape = anyModelConstraint ? mix.entries().get(s).shape() : null;
        for (int i = 0; i < free.length; i++) {
            boolean ok = usable[i] && free[i] >= milli[s] && (shape == null || shape.acceptsModel(models[i]));
            if (ok) {
                fitting++;
            } else {
                stranded += free[i];
            }
        }
        return fitting >= count[s] ? stranded : total;
    }

}
