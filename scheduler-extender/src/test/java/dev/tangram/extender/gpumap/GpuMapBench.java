package dev.tangram.extender.gpumap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.GpuFixtures;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.state.ClusterOccupancy;
import dev.tangram.extender.state.ClusterState;
import dev.tangram.extender.state.PodInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cost of one {@code /ui/state.json} answer after a change: taking the occupancy, projecting the map and writing the JSON,
 * for {@code bench.nodes} 8-GPU nodes with 0-7 GPUs taken each and five workload shapes. Prints milliseconds and bytes.
 * Tagged bench: run with {@code -Dtest=GpuMapBench -Dtangram.excludedGroups=gpu,docker}.
 */
@Tag("bench")
class GpuMapBench {
    @Test
    void projectsAndWritesTheMapOfALargeCluster() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 1000);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        ClusterState state = new ClusterState(Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(10), Duration.ofSeconds(60));
        PodReader reader = new PodReader(Set.of(TangramNames.RESOURCE_GPU_SHARED), PodGroupSizes.NONE);
        for (int n = 0; n < nodes; n++) {
            String name = "n" + n;
            state.upsertNode(NodeReader.read(KubeFixtures.dgx(name)));
            int taken = n % 8;
            if (taken > 0) {
                PodInfo p = reader.read(KubeFixtures.gpuPod("p" + n, taken));
                List<String> ids = java.util.stream.IntStream.range(0, taken).mapToObj(GpuFixtures::gpuUuid).toList();
                PlacementDecision d = new PlacementDecision(p.uid(), name,
                        List.of(new PlacementDecision.ContainerDevices("main", TangramNames.RESOURCE_GPU, ids)), now);
                state.upsertPod(new PodInfo(p.uid(), p.namespace(), p.name(), p.demand(), p.gang(), p.problem(), name, false,
                        java.util.Optional.of(d), List.of()));
            }
        }
        for (int g : new int[] {3, 5, 6}) {
            state.upsertPod(reader.read(KubeFixtures.pod("pending-" + g, TangramNames.RESOURCE_GPU, g, Map.of())));
        }
        ObjectMapper json = new ObjectMapper();
        byte[] body = new byte[0];
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            ClusterOccupancy occupancy = state.occupancy();
            body = json.writeValueAsBytes(GpuMapProjector.project(occupancy));
            best = Math.min(best, System.nanoTime() - t0);
        }
        assertThat(body.length).isPositive();
        System.out.printf("gpu-map: %d nodes, %d GPUs: best of 8 %.1f ms per state.json, %d KiB%n",
                nodes, nodes * 8, best / 1e6, body.length / 1024);
    }
}
