package dev.tangram.deviceplugin;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.DeviceIdStrategy;
import dev.tangram.deviceplugin.config.DeviceListStrategy;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.jna.RealNvml;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.DeviceSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The device plugin on the node's real GPUs, through NVML, to a kubelet played by {@link KubeletHarness} over the real
 * device-plugin gRPC API. Run with {@code -Dgroups=gpu} on a GPU node without MIG (see docs/hardware.md).
 */
@Tag("gpu")
class DevicePluginOnRealGpuTest {
    @TempDir
    Path cdi;

    @Test
    void advertisesAllocatesAndReportsTheRealGpus() throws Exception {
        try (NvmlGpuProbe probe = RealNvml.openOrSkip(); KubeletHarness kubelet = new KubeletHarness()) {
            List<Gpu> gpus = probe.inventory().gpus();
            Assumptions.assumeTrue(gpus.stream().noneMatch(Gpu::migEnabled), "a GPU here is in MIG mode");
            PluginConfig config = PluginConfig.defaults("gpu-test", kubelet.dir()).withHttpPort(0)
                    .withDeviceList(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID)
                    .withPaths(cdi, Path.of("/dev"), Path.of("/nonexistent"));
            try (DevicePluginDaemon daemon = new DevicePluginDaemon(config, probe, Clock.systemUTC(), Optional.empty())) {
                daemon.start();
                String gpu = TangramNames.RESOURCE_GPU;
                await().atMost(Duration.ofSeconds(20)).until(() -> kubelet.devices(gpu).size() == gpus.size());
                assertThat(kubelet.devices(gpu)).extracting(d -> d.getID()).containsExactlyInAnyOrderElementsOf(gpus.stream().map(Gpu::uuid).toList());
                assertThat(kubelet.unhealthy(gpu)).isZero();

                Gpu first = gpus.getFirst();
                ContainerAllocateResponse answer = kubelet.plugin(gpu).allocate(AllocateRequest.newBuilder()
                        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(first.uuid())).build()).getContainerResponses(0);
                assertThat(answer.getEnvsMap()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, first.uuid());
                assertThat(answer.getDevicesList()).extracting(DeviceSpec::getHostPath).contains("/dev/nvidia" + first.minor(), "/dev/nvidiactl");
                for (DeviceSpec d : answer.getDevicesList()) {
                    assertThat(Path.of(d.getHostPath())).as("device node handed to the container").exists();
                }

                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).containsPattern("DCGM_FI_DEV_FB_TOTAL\\{[^}]*UUID=\"" + first.uuid() + "\"[^}]*} " + first.memoryMib() + ".0")
                        .containsPattern("tangram_device_plugin_registered\\{resource=\"nvidia.com/gpu\"} 1.0");
            }
        }
        assertThat(Files.list(cdi).toList()).isEmpty();
    }
}
