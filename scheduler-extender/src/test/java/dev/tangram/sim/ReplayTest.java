package dev.tangram.sim;

import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.policy.BestFitPolicy;
import dev.tangram.core.placement.policy.FragmentationMeasure;
import dev.tangram.core.placement.policy.WorkloadMix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReplayTest {
    static SimPod fraction(String name, int milli) {
        return new SimPod(name, new PodDemand(name, 1000, 1024, List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU,
                new GpuDemand.GpuFraction(milli))), Set.of()), milli);
    }

    static SimPod whole(String name, int gpus) {
        return new SimPod(name, new PodDemand(name, 1000, 1024, List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU,
                new GpuDemand.WholeGpus(gpus))), Set.of()), 1000L * gpus);
    }

    private static Replay replay(List<SimNode> nodes) {
        return new Replay(nodes, new FragmentationMeasure(WorkloadMix.empty(), false));
    }

    @Test
    void allocAtXIsTheAllocationWhenArrivedDemandFirstReachesXPercent() {
        // One node, two GPUs (capacity 2000). Arrivals: a whole GPU (50 % arrived, 50 % allocated), 600m (80 %, 80 %),
        // 600m again: GPU 0 is taken and GPU 1 has 400m left, so it fails; arrived 110 %, allocated still 80 %.
        Replay r = replay(List.of(SimNode.whole("n", 32_000, 65_536, 2, "T4")));
        RunResult result = r.run("bestfit", new BestFitPolicy(), 1, List.of(whole("a", 1), fraction("b", 600), fraction("c", 600)), x -> { });
        assertThat(result.allocAt(50)).isCloseTo(50, within(1e-9));
        assertThat(result.allocAt(51)).isCloseTo(80, within(1e-9));
        assertThat(result.allocAt(80)).isCloseTo(80, within(1e-9));
        assertThat(result.allocAt(100)).isCloseTo(80, within(1e-9));
        assertThat(result.allocAt(110)).isCloseTo(80, within(1e-9));
        assertThat(result.failedGpuPods()).isEqualTo(1);
        assertThat(result.finalFree()[0]).containsExactly(0, 400);
    }

    @Test
    void cpuAndMemoryKeepAPodOffANodeWithFreeGpus() {
        Replay r = replay(List.of(SimNode.whole("small", 1500, 65_536, 2, "T4"), SimNode.whole("big", 64_000, 65_536, 2, "T4")));
        RunResult result = r.run("bestfit", new BestFitPolicy(), 1, List.of(fraction("a", 500), fraction("b", 500)), x -> { });
        assertThat(result.failedPods()).isZero();
        // The first pod may go anywhere; the second cannot go to "small" if the first took its CPU.
        int[] small = result.finalFree()[0];
        assertThat(small[0] + small[1]).isGreaterThanOrEqualTo(1500);
    }

    @Test
    void aGpuSpecKeepsAPodToItsModels() {
        Replay r = replay(List.of(SimNode.whole("t4", 64_000, 65_536, 1, "T4"), SimNode.whole("v100", 64_000, 65_536, 1, "V100M32")));
        SimPod v100Only = new SimPod("v", new PodDemand("v", 1000, 1024, List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU,
                new GpuDemand.WholeGpus(1))), Set.of("V100M32")), 1000);
        RunResult result = r.run("bestfit", new BestFitPolicy(), 1, List.of(v100Only, v100Only.renamed("v2")), x -> { });
        assertThat(result.finalFree()[0]).containsExactly(1000);
        assertThat(result.finalFree()[1]).containsExactly(0);
        assertThat(result.failedGpuPods()).isEqualTo(1);
    }
}
