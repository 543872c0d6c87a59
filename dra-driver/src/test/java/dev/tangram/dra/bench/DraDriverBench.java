package dev.tangram.dra.bench;

import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.model.MigDevice;
import dev.tangram.dra.DraDriver;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DevicePlanner;
import dev.tangram.dra.it.Claims;
import dev.tangram.dra.it.KubeletHarness;
import dev.tangram.dra.it.TestNodes;
import dev.tangram.dra.kube.Fabric8ResourceSlicePublisher;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.dra.slice.SliceSplitter;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.dra.v1.Claim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Benchmarks (tag {@code bench}, excluded by default): NodePrepareResources latency over the real socket with fsync'd
 * checkpoint and CDI writes, for 1 and 8 claims per call; publishing an 8-GPU node with every MIG placement into the mock
 * API server. Prints its figures; they go to docs/benchmarks.md by hand.
 */
@Tag("bench")
@EnableKubernetesMockClient(crud = true)
class DraDriverBench {
    static KubernetesClient client;

    private static String percentiles(String label, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double p50 = s[s.length / 2] / 1e6;
        double p99 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e6;
        return String.format("%s: n=%d p50=%.2f ms p99=%.2f ms", label, s.length, p50, p99);
    }

    @Test
    void prepareLatencyForOneAndEightClaims() throws Exception {
        Path root = TestNodes.shortTempDir();
        TestNodes.writeBootId(root, "boot-bench");
        try (SimulatedGpuProbe probe = SimulatedGpuProbe.open(TestNodes.example("dgx-h100"));
             DraDriver driver = TestNodes.start(root, "bench-node", probe, Optional.of(client));
             KubeletHarness kubelet = new KubeletHarness(root.resolve("kubelet"))) {
            kubelet.register();
            List<Claim> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                claims.add(Claims.claim("bench", "c" + i, "u" + i).device("gpu", "bench-node", "gpu-" + i).storeIn(client));
            }
            System.out.println("BENCH " + percentiles("prepare 1 claim", run(kubelet, claims.subList(0, 1), 30, 300)));
            System.out.println("BENCH " + percentiles("prepare 8 claims", run(kubelet, claims, 20, 150)));
        } finally {
            TestNodes.deleteTree(root);
        }
    }

    private static long[] run(KubeletHarness kubelet, List<Claim> claims, int warmup, int n) {
        Claim[] batch = claims.toArray(Claim[]::new);
        long[] took = new long[n];
        for (int i = -warmup; i < n; i++) {
            long start = System.nanoTime();
            var r = kubelet.prepare(batch);
            long t = System.nanoTime() - start;
            if (r.getClaimsMap().values().stream().anyMatch(c -> !c.getError().isEmpty())) {
                throw new AssertionError("prepare failed: " + r);
            }
            var u = kubelet.unprepare(batch);
            if (u.getClaimsMap().size() != batch.length || u.getClaimsMap().values().stream().anyMatch(c -> !c.getError().isEmpty())) {
                throw new AssertionError("unprepare failed: " + u);
            }
            if (r.getClaimsMap().size() != batch.length) {
                throw new AssertionError("prepare answered " + r.getClaimsMap().size() + " claims of " + batch.length);
            }
            if (i >= 0) {
                took[i] = t;
            }
        }
        return took;
    }

    @Test
    void publishingAnEightGpuNodeWithEveryMigPlacement() {
        NodeInventory dgx = SimulatedGpuProbe.open(TestNodes.example("dgx-h100")).inventory();
        NodeInventory allMig = dgx.withGpus(dgx.gpus().stream().map(g -> g.withMig(true, List.of())).toList());
        DevicePlanner planner = new DevicePlanner(DevicePlanner::busRoot, true);
        for (SliceShape shape : SliceShape.values()) {
            long[] plan = new long[50];
            for (int i = -10; i < plan.length; i++) {
                long s = System.nanoTime();
                SliceSplitter.split(planner.plan("pub-node", allMig, Set.of()), shape);
                if (i >= 0) {
                    plan[i] = System.nanoTime() - s;
                }
            }
            long[] publish = new long[10];
            for (int i = -2; i < publish.length; i++) {
                client.dynamicResourceAllocation().v1().resourcesSlices().delete();
                Fabric8ResourceSlicePublisher publisher = new Fabric8ResourceSlicePublisher(client, "gpu.tangram.dev", "pub-node");
                long s = System.nanoTime();
                DevicePlan p = planner.plan("pub-node", allMig, Set.of());
                var slices = SliceSplitter.split(p, shape);
                publisher.publish(slices);
                if (i >= 0) {
                    publish[i] = System.nanoTime() - s;
                }
                if (i == 0) {
                    System.out.println("BENCH " + shape + ": " + p.devices().size() + " devices, " + p.counterSets().size()
                            + " counter sets, " + slices.size() + " slices");
                }
            }
            System.out.println("BENCH " + percentiles("plan+split " + shape, plan));
            System.out.println("BENCH " + percentiles("publish from scratch " + shape, publish));
        }
    }
}
