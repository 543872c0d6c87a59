package dev.tangram.sim;

import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.policy.BestFitPolicy;
import dev.tangram.core.placement.policy.FragmentationMeasure;
import dev.tangram.core.placement.policy.WorkloadMix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterYamlTest {
    @TempDir
    Path dir;

    private Path file(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void buildsMigLayoutsAndReplicasAndPodsThatAskForThem() throws IOException {
        Path nodes = file("c.yaml", """
                nodes:
                  - {name: mig, count: 2, cpuMilli: 64000, memoryMib: 262144, gpus: 2, model: NVIDIA A100-SXM4-80GB, gpuMemoryMib: 81920,
                     mig: [3g.40gb, 1g.10gb, 1g.10gb, 1g.10gb]}
                  - {name: ts, cpuMilli: 64000, memoryMib: 262144, gpus: 1, model: NVIDIA L4, gpuMemoryMib: 23034, replicas: 4}
                """);
        Path pods = file("p.yaml", """
                pods:
                  - {name: small, count: 3, cpuMilli: 1000, memoryMib: 1024, mig: 1g.10gb}
                  - {name: shared, cpuMilli: 1000, memoryMib: 1024, replicas: 2}
                  - {name: cpu, cpuMilli: 1000}
                """);
        List<SimNode> cluster = ClusterYaml.nodes(nodes);
        assertThat(cluster).extracting(SimNode::name).containsExactly("mig-0", "mig-1", "ts");
        NodeView mig = cluster.getFirst().emptyView();
        GpuView g0 = mig.gpus().getFirst();
        assertThat(g0.migEnabled()).isTrue();
        assertThat(g0.freeMigDevices()).extracting(GpuView.FreeMigDevice::profile, GpuView.FreeMigDevice::placementStart)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("3g.40gb", 0), org.assertj.core.groups.Tuple.tuple("1g.10gb", 4),
                        org.assertj.core.groups.Tuple.tuple("1g.10gb", 5), org.assertj.core.groups.Tuple.tuple("1g.10gb", 6));
        assertThat(cluster.get(2).emptyView().gpus().getFirst().freeReplicaIds()).hasSize(4);

        List<SimPod> p = ClusterYaml.pods(pods, cluster);
        assertThat(p).hasSize(5);
        assertThat(p.getFirst().demand().containers().getFirst().demand()).isEqualTo(new GpuDemand.MigDevices("1g.10gb", 1));
        assertThat(p.getFirst().gpuMilli()).isEqualTo(125);
        assertThat(p.get(3).demand().containers().getFirst().demand()).isEqualTo(new GpuDemand.SharedReplicas(2));
        assertThat(p.get(3).gpuMilli()).isEqualTo(500);

        RunResult r = new Replay(cluster, new FragmentationMeasure(WorkloadMix.empty(), false))
                .run("bestfit", new BestFitPolicy(), 1, p, x -> { });
        assertThat(r.failedPods()).isZero();
        assertThat(r.finalFree()[2]).containsExactly(500);
    }

    @Test
    void badFieldsStopLoadingWithTheFieldNamed() throws IOException {
        Path unknownField = file("a.yaml", "nodes:\n  - {name: n, cpuMilli: 1, memoryMib: 1, gpus: 1, model: T4, colour: red}\n");
        assertThatThrownBy(() -> ClusterYaml.nodes(unknownField)).hasMessageContaining("colour");
        Path noMemory = file("b.yaml", "nodes:\n  - {name: n, cpuMilli: 1, gpus: 1, model: T4}\n");
        assertThatThrownBy(() -> ClusterYaml.nodes(noMemory)).hasMessageContaining("nodes[0]").hasMessageContaining("'memoryMib' is required");
        Path badLayout = file("c.yaml", "nodes:\n  - {name: n, cpuMilli: 1, memoryMib: 1, gpus: 1, model: NVIDIA A100-SXM4-80GB, "
                + "gpuMemoryMib: 81920, mig: [4g.40gb, 4g.40gb]}\n");
        assertThatThrownBy(() -> ClusterYaml.nodes(badLayout)).hasMessageContaining("does not fit one GPU");
        Path noMig = file("d.yaml", "nodes:\n  - {name: n, cpuMilli: 1, memoryMib: 1, gpus: 1, model: T4, mig: [1g.10gb]}\n");
        assertThatThrownBy(() -> ClusterYaml.nodes(noMig)).hasMessageContaining("cannot do MIG");
        List<SimNode> plain = List.of(SimNode.whole("n", 1, 1, 1, "T4"));
        Path twoKinds = file("e.yaml", "pods:\n  - {name: p, gpus: 1, replicas: 2}\n");
        assertThatThrownBy(() -> ClusterYaml.pods(twoKinds, plain)).hasMessageContaining("at most one of");
        Path unknownProfile = file("f.yaml", "pods:\n  - {name: p, mig: 1g.10gb}\n");
        assertThatThrownBy(() -> ClusterYaml.pods(unknownProfile, plain)).hasMessageContaining("no MIG-capable node");
    }
}
