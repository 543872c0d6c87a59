package dev.tangram.deviceplugin.http;

import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.DevicePluginDaemon;
import dev.tangram.deviceplugin.KubeletHarness;
import dev.tangram.deviceplugin.config.DeviceIdStrategy;
import dev.tangram.deviceplugin.config.DeviceListStrategy;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /metrics, /healthz and /readyz over real HTTP, and CDI mode end to end. */
class HttpEndpointsIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesDcgmStyleMetricsAndProbesThatFollowRegistration() throws Exception {
        Path cdi = Files.createTempDirectory(Path.of("/tmp"), "cdi");
        try (KubeletHarness k = new KubeletHarness();
             SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.L4_2))) {
            PluginConfig config = PluginConfig.defaults("l4", k.dir()).withHttpPort(0).withSharing(SharingConfig.none().withReplicas(2))
                    .withDeviceList(DeviceListStrategy.CDI, DeviceIdStrategy.UUID).withPaths(cdi, Path.of("/dev"), Path.of("/nonexistent"));
            try (DevicePluginDaemon d = new DevicePluginDaemon(config, probe, Clock.systemUTC(), Optional.empty())) {
                d.start();
                int port = d.httpPort();
                assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/readyz").statusCode() == 200);
                String shared = TangramNames.RESOURCE_GPU_SHARED;
                await().atMost(Duration.ofSeconds(10)).until(() -> k.devices(shared).size() == 4);

                // CDI mode: spec on disk, names in the answer
                assertThat(cdi.resolve("tangram.dev-gpu.json")).exists();
                String id = k.devices(shared).getFirst().getID();
                var answer = k.plugin(shared).allocate(AllocateRequest.newBuilder()
                        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(id)).build()).getContainerResponses(0);
                assertThat(answer.getCdiDevicesList()).extracting(c -> c.getName()).containsExactly("tangram.dev/gpu=" + id.substring(0, id.indexOf("::")));
                assertThat(answer.getEnvsMap()).containsEntry(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, Long.toString(23034 / 2));

                probe.injectXid(probe.inventory().gpus().getFirst().uuid(), 79);
                await().atMost(Duration.ofSeconds(5)).until(() -> get(port, "/metrics").body().contains("tangram_gpu_xid_events_total"));
                String metrics = get(port, "/metrics").body();
                assertThat(metrics).contains("DCGM_FI_DEV_GPU_UTIL{", "DCGM_FI_DEV_FB_USED{", "DCGM_FI_DEV_FB_TOTAL{", "DCGM_FI_DEV_GPU_TEMP{",
                        "DCGM_FI_DEV_POWER_USAGE{", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{", "tangram_gpu_healthy{", "tangram_device_plugin_devices{",
                        "tangram_device_plugin_registered{", "tangram_device_plugin_allocations_total{", "xid=\"79\"", "modelName=\"NVIDIA L4\"");
                assertThat(metrics).containsPattern("tangram_gpu_healthy\\{[^}]*gpu=\"0\"[^}]*} 0.0");

                k.restart(); // sockets gone: not ready until re-registered
                await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/readyz").statusCode() == 200 && k.registrations(shared) >= 2);
            }
        } finally {
            try (var files = Files.list(cdi)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(cdi);
        }
    }
}
