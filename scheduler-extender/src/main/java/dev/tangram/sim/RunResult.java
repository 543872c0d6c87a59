package dev.tangram.sim;

/**
 * The outcome of one policy on one seed.
 *
 * @param policy         policy name
 * @param seed           seed of the arrival order (and of tie-breaking)
 * @param capacityMilli  the cluster's GPU capacity, thousandths
 * @param allocPct       per arrived percent X (index), allocated GPU as % of capacity at the first pod where arrived GPU
 *                       demand reached X %; NaN where the run never got there
 * @param fragPct        per arrived percent, the cluster's fragmentation (reference workload) as % of capacity
 * @param finalAllocPct  allocated GPU as % of capacity after the last pod
 * @param pods           pods replayed
 * @param failedPods     pods that fit nowhere
 * @param failedGpuPods  pods asking for GPUs that fit nowhere
 * @param finalFree      per node and GPU, thousandths free after the last pod (the heat map at saturation)
 * @param nodeNames      node names, in the order of {@code finalFree}
 */
public record RunResult(String policy, long seed, long capacityMilli, double[] allocPct, double[] fragPct, double finalAllocPct, int pods, int failedPods,
                        int failedGpuPods, int[][] finalFree, String[] nodeNames) {
    /**
     * Alloc@X: allocated GPU share (%) when arrived GPU demand first reached X %. Padding stops one pod short of the tune
     * target, so X beyond the last pod's arrival reads the final allocation.
     */
    public double allocAt(int percent) {
        return percent < allocPct.length ? allocPct[percent] : finalAllocPct;
    }
}
