package dev.tangram.dra.kube;

import dev.tangram.core.access.ApiCall;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DevicePlanner;
import dev.tangram.dra.it.Claims;
import dev.tangram.dra.it.TestNodes;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.dra.slice.SliceSplitter;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@link ApiCalls} honest: the adapters run against fabric8's mock API server (slices published, republished in another
 * shape so that some are replaced and some deleted, a claim read, an Event written) and the requests the server received,
 * read as RBAC (group, resource, verb), must be exactly the registry.
 */
@EnableKubernetesMockClient(crud = true)
class ApiCallsIT {
    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final String NODE = "h200-node";

    @Test
    void theAdaptersMakeExactlyTheCallsTheRegistryLists() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        var claim = Claims.claim("default", "one-gpu", "claim-uid-1").device("gpu", NODE, "gpu-0").storeIn(client);
        drain();

        NodeInventory inventory;
        try (SimulatedGpuProbe probe = SimulatedGpuProbe.open(TestNodes.example("h200-mig"))) {
            inventory = probe.inventory();
        }
        DevicePlan plan = new DevicePlanner(DevicePlanner::busRoot, true).plan(NODE, inventory, Set.of());
        var publisher = new Fabric8ResourceSlicePublisher(client, "gpu.tangram.dev", NODE);
        assertThat(publisher.publish(SliceSplitter.split(plan, SliceShape.COUNTERS_IN_OWN_SLICES))).isTrue();
        assertThat(publisher.publish(SliceSplitter.split(plan, SliceShape.COUNTERS_BESIDE_DEVICES))).isTrue();
        assertThat(new Fabric8ClaimSource(client).fetch(new ClaimRef("default", claim.getUid(), "one-gpu"))).isNotNull();
        new Fabric8EventRecorder(client, "gpu.tangram.dev", NODE, Clock.systemUTC()).warning("CheckpointCorrupt", "test");

        assertThat(drain()).containsExactlyInAnyOrderElementsOf(ApiCalls.all());
        assertThat(client.v1().events().inNamespace("default").list().getItems()).hasSize(1);
    }

    /** The requests received since the last drain, as RBAC reads them. */
    private static Set<ApiCall> drain() throws InterruptedException {
        Set<ApiCall> calls = new TreeSet<>();
        RecordedRequest r;
        while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
            calls.add(ApiCall.ofRequest(r.getMethod(), r.getPath()));
        }
        return calls;
    }
}
