package dev.tangram.deviceplugin.kube;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.access.ApiCall;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keeps {@link ApiCalls} honest: the adapters run against fabric8's mock API server and the requests it received, read as
 * RBAC (group, resource, verb), must be exactly the registry, so the ClusterRole built from the registry is neither short nor
 * generous.
 */
@EnableKubernetesMockClient(crud = true)
class ApiCallsIT {
    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final String NODE = "dgx-01";

    @Test
    void theAdaptersMakeExactlyTheCallsTheRegistryLists() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        Pod pod = client.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("trainer").withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("main").withImage("cuda").endContainer().endSpec()
                .build()).create();
        String uid = pod.getMetadata().getUid();
        PlacementDecision decision = new PlacementDecision(uid, NODE,
                List.of(new PlacementDecision.ContainerDevices("main", TangramNames.RESOURCE_GPU, List.of("GPU-a"))), Instant.now());
        client.pods().inNamespace("default").withName("trainer").edit(p -> new PodBuilder(p).editMetadata()
                .addToAnnotations(TangramNames.ANNOTATION_PLACEMENT, PlacementDecisionCodec.write(decision)).endMetadata().build());
        drain(); // the test's own setup calls

        assertThat(new Fabric8NodePublisher(client, NODE).publish(GpuFixtures.dgxH100(NODE), Map.of(TangramNames.LABEL_GPU_PRESENT, "true")))
                .isTrue();
        try (Fabric8PlacementDecisions decisions = new Fabric8PlacementDecisions(client, NODE, false)) {
            decisions.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> !decisions.current().isEmpty());
            decisions.annotateAllocated(uid, "main", List.of("GPU-a"));
            Set<ApiCall> seen = drain();

            assertThat(seen).containsExactlyInAnyOrderElementsOf(ApiCalls.all());
        }
        assertThat(client.pods().inNamespace("default").withName("trainer").get().getMetadata().getAnnotations())
                .containsEntry(TangramNames.ANNOTATION_ALLOCATED, "main=GPU-a");
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
