package dev.tangram.dra.it;

import dev.tangram.dra.DraDriver;
import dev.tangram.dra.config.DriverConfig;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code --slice-shape auto} the API server's version picks the slice shape. */
@EnableKubernetesMockClient(crud = true)
class ServerVersionIT {
    static KubernetesClient client;
    static KubernetesMockServer server;

    @Test
    void aKubernetes134ServerGetsCountersBesideDevices() {
        server.setVersionInfo(new io.fabric8.kubernetes.client.VersionInfo.Builder().withMajor("1").withMinor("34").build());
        Path root = TestNodes.shortTempDir();
        TestNodes.writeBootId(root, "boot-1");
        DriverConfig forced = TestNodes.config(root, "v134-node", -1);
        DriverConfig auto = new DriverConfig(forced.nodeSpec(), forced.kubeletDir(), forced.cdiDir(), forced.stateDir(),
                forced.kubeconfig(), forced.nodeName(), -1, Optional.empty(), forced.bootIdFile(), true);
        try (SimulatedGpuProbe probe = SimulatedGpuProbe.open(TestNodes.example("h200-mig"));
             DraDriver driver = DraDriver.start(auto, probe, Optional.of(client), Clock.systemUTC())) {
            assertThat(driver.shape()).isEqualTo(SliceShape.COUNTERS_BESIDE_DEVICES);
            assertThat(client.dynamicResourceAllocation().v1().resourcesSlices().list().getItems())
                    .allSatisfy(s -> assertThat(s.getSpec().getDevices()).isNotEmpty());
        } finally {
            TestNodes.deleteTree(root);
        }
    }
}
