package dev.tangram.dra.it;

import dev.tangram.core.model.Gpu;
import dev.tangram.dra.DraDriver;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.jna.RealNvml;
import dev.tangram.proto.dra.v1.Claim;
import dev.tangram.proto.dra.v1.NodePrepareResourceResponse;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DRA driver on the node's real GPUs, through NVML: ResourceSlices published to fabric8's mock API server, a whole-GPU
 * claim prepared and unprepared by a kubelet played over the real DRA gRPC API. Run with {@code -Dgroups=gpu} on a GPU
 * node without MIG (see docs/hardware.md); MIG devices are not created here, the node's MIG settings stay as they are.
 */
@Tag("gpu")
@EnableKubernetesMockClient(crud = true)
class DraDriverOnRealGpuTest {
    static KubernetesClient client;

    @Test
    void publishesPreparesAndUnpreparesTheRealGpus() throws Exception {
        Path root = TestNodes.shortTempDir();
        TestNodes.writeBootId(root, "boot-1");
        try (NvmlGpuProbe probe = RealNvml.openOrSkip()) {
            List<Gpu> gpus = probe.inventory().gpus();
            Assumptions.assumeTrue(gpus.stream().noneMatch(Gpu::migEnabled), "a GPU here is in MIG mode");
            try (DraDriver driver = DraDriver.start(TestNodes.config(root, "gpu-node", -1), probe, Optional.of(client), Clock.systemUTC());
                 KubeletHarness kubelet = new KubeletHarness(root.resolve("kubelet"))) {
                assertThat(kubelet.register().getName()).isEqualTo("gpu.tangram.dev");
                await().atMost(Duration.ofSeconds(20)).until(() -> !client.dynamicResourceAllocation().v1().resourcesSlices().list().getItems().isEmpty());
                String slices = Serialization.asJson(client.dynamicResourceAllocation().v1().resourcesSlices().list().getItems().stream()
                        .filter(s -> "gpu-node".equals(s.getSpec().getNodeName())).map(ResourceSlice::getSpec).toList());
                for (Gpu g : gpus) {
                    assertThat(slices).contains("\"gpu-" + g.index() + "\"", g.uuid(), g.product());
                }

                Gpu first = gpus.getFirst();
                Claim claim = Claims.claim("ml", "one-gpu", "uid-real-gpu").device("gpu", "gpu-node", "gpu-" + first.index()).storeIn(client);
                NodePrepareResourceResponse prepared = kubelet.prepare(claim).getClaimsOrThrow(claim.getUid());
                assertThat(prepared.getError()).isEmpty();
                Path cdi = root.resolve("cdi").resolve("tangram.dev-claim_" + claim.getUid() + ".json");
                assertThat(Files.readString(cdi)).contains("NVIDIA_VISIBLE_DEVICES=" + first.uuid() + "\"", "/dev/nvidia" + first.minor(),
                        "TANGRAM_GPU_MEMORY_LIMIT_MIB=" + first.memoryMib());
                assertThat(Path.of("/dev/nvidia" + first.minor())).exists();

                assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
                assertThat(cdi).doesNotExist();
                assertThat(driver.preparer().checkpoint().claims()).isEmpty();
            }
        } finally {
            TestNodes.deleteTree(root);
        }
    }
}
