package dev.tangram.extender.kube;

import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PodReaderTest {
    private final PodReader reader = new PodReader(Set.of("nvidia.com/gpu.shared", "example.com/slice"), PodGroupSizes.NONE);

    @Test
    void readsWholeGpusMigDevicesAndSharedReplicasPerContainerAndInitContainer() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("ml").withUid("u1").endMetadata().withNewSpec()
                .addNewInitContainer().withName("init").withNewResources().addToRequests("example.com/slice", new Quantity("2")).endResources().endInitContainer()
                .addNewContainer().withName("a").withNewResources().addToLimits("nvidia.com/gpu", new Quantity("4"))
                .addToRequests("nvidia.com/gpu", new Quantity("4")).addToRequests("cpu", new Quantity("2")).endResources().endContainer()
                .addNewContainer().withName("b").withNewResources().addToLimits("nvidia.com/mig-1g.10gb", new Quantity("1")).endResources().endContainer()
                .endSpec().build();
        PodInfo info = reader.read(pod);
        assertThat(info.problem()).isEmpty();
        assertThat(info.key()).isEqualTo("ml/p");
        assertThat(info.demand().containers()).containsExactly(
                new ContainerDemand("a", "nvidia.com/gpu", new GpuDemand.WholeGpus(4)),
                new ContainerDemand("b", "nvidia.com/mig-1g.10gb", new GpuDemand.MigDevices("1g.10gb", 1)),
                new ContainerDemand("init", "example.com/slice", new GpuDemand.SharedReplicas(2)));
    }

    @Test
    void aPodWithoutManagedResourcesNeedsNoGpu() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").withUid("u").endMetadata().withNewSpec().addNewContainer()
                .withName("c").withNewResources().addToLimits("cpu", new Quantity("1")).endResources().endContainer().endSpec().build();
        assertThat(reader.read(pod).demand().needsGpu()).isFalse();
        assertThat(reader.read(pod).namespace()).isEqualTo("default");
    }

    @Test
    void unreadableQuantitiesAndLabelsBecomeAProblemNamingTheField() {
        assertThat(reader.read(KubeFixtures.pod("p", "nvidia.com/gpu", 1, Map.of())).problem()).isEmpty();
        Pod half = new PodBuilder(KubeFixtures.gpuPod("half", 1)).editSpec().editFirstContainer().editResources()
                .addToLimits("nvidia.com/gpu", new Quantity("500m")).endResources().endContainer().endSpec().build();
        assertThat(reader.read(half).problem()).contains("limits.nvidia.com/gpu must be a whole number");
        Pod differ = new PodBuilder(KubeFixtures.gpuPod("d", 2)).editSpec().editFirstContainer().editResources()
                .addToRequests("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();
        assertThat(reader.read(differ).problem()).contains("request 1 differs from limit 2");
        Pod gang = KubeFixtures.pod("g", "nvidia.com/gpu", 1, Map.of("tangram.dev/gang", "t", "tangram.dev/gang-size", "many"));
        assertThat(reader.read(gang).problem()).contains("tangram.dev/gang-size must be a whole number");
    }

    @Test
    void gangLabelsNameTheGangInItsNamespace() {
        PodInfo p = reader.read(KubeFixtures.gangPod("w0", "train", 4, 8));
        assertThat(p.gang()).contains(new PodInfo.GangRef("default/train", 4));
    }

    @Test
    void podGroupLabelsUseMinMemberWhenTheCrdIsInstalled() {
        PodGroupSizes groups = new PodGroupSizes() {
            @Override
            public boolean installed() {
                return true;
            }

            @Override
            public Optional<Integer> minMember(String namespace, String name) {
                return name.equals("pg") ? Optional.of(3) : Optional.empty();
            }
        };
        PodReader withGroups = new PodReader(Set.of(), groups);
        PodInfo p = withGroups.read(KubeFixtures.pod("m", "nvidia.com/gpu", 1, Map.of("scheduling.x-k8s.io/pod-group", "pg")));
        assertThat(p.gang()).contains(new PodInfo.GangRef("default/podgroup/pg", 3));
        assertThat(withGroups.read(KubeFixtures.pod("m", "nvidia.com/gpu", 1, Map.of("scheduling.x-k8s.io/pod-group", "nope"))).problem())
                .contains("PodGroup default/nope");
        assertThat(reader.read(KubeFixtures.pod("m", "nvidia.com/gpu", 1, Map.of("scheduling.x-k8s.io/pod-group", "pg"))).gang()).isEmpty();
    }
}
