package dev.tangram.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.GpuFixtures;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.config.ExtenderConfigLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceClass;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end on a real API server (K3s in Docker): the static manifests' RBAC, ConfigMaps and DeviceClasses are applied, a
 * node is given a simulated 8-GPU inventory, and the extender runs in this JVM <em>as the chart's ServiceAccount</em>
 * (impersonated), so every call it makes is checked by the API server's RBAC. A pod asking for 2 GPUs with
 * {@code schedulerName: tangram-scheduler} is filtered, prioritized and bound through the extender's HTTP verbs, as
 * kube-scheduler would call them (the kube-scheduler and the node agents need images, which this build does not produce).
 * Tagged {@code docker}: skipped where no Docker engine runs.
 */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
class K3sEndToEndIT {
    @Container
    static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.34.1-k3s1"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SA = "system:serviceaccount:" + Chart.NAMESPACE + ":tangram-scheduler";

    @Test
    void aGpuPodIsFilteredScoredAndBoundThroughTheExtenderRunningWithTheChartsRbac() throws Exception {
        Config admin = Config.fromKubeconfig(K3S.getKubeConfigYaml());
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(admin).build()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Chart.NAMESPACE).endMetadata().build()).create();
            List<HasMetadata> manifests = StrictYaml.load(Files.readString(StaticManifests.FILE), "manifests/static/tangram.yaml");
            for (HasMetadata o : manifests) {
                if (!(o instanceof DaemonSet) && !(o instanceof Deployment)) { // workloads need images this build does not make
                    client.resource(o).serverSideApply();
                }
            }
            assertThat(client.resources(DeviceClass.class).list().getItems()).extracting(c -> c.getMetadata().getName())
                    .contains("gpu.tangram.dev", "mig.tangram.dev");

            // the K3s node becomes a simulated 8 x H100 node, as the device plugin would publish it
            String nodeName = client.nodes().list().getItems().getFirst().getMetadata().getName();
            String inventory = InventoryCodec.write(GpuFixtures.dgxH100(nodeName));
            client.nodes().withName(nodeName).edit(n -> new NodeBuilder(n).editMetadata()
                    .addToAnnotations(TangramNames.ANNOTATION_GPU_INVENTORY, inventory)
                    .addToLabels(TangramNames.LABEL_GPU_PRESENT, "true").endMetadata().build());
            Node withGpus = client.nodes().withName(nodeName).get();
            withGpus.getStatus().getCapacity().put(TangramNames.RESOURCE_GPU, new Quantity("8"));
            withGpus.getStatus().getAllocatable().put(TangramNames.RESOURCE_GPU, new Quantity("8"));
            client.nodes().resource(withGpus).updateStatus();

            // kube-scheduler's Lease, held by the scheduler next to this extender (host name "tangram-scheduler-0")
            client.leases().inNamespace(Chart.NAMESPACE).resource(new LeaseBuilder().withNewMetadata().withName("tangram-scheduler")
                    .withNamespace(Chart.NAMESPACE).endMetadata().withNewSpec().withHolderIdentity("tangram-scheduler-0_1a2b")
                    .withLeaseDurationSeconds(3600).withRenewTime(ZonedDateTime.now()).endSpec().build()).create();

            Pod pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("trainer").endMetadata()
                    .withNewSpec().withSchedulerName("tangram-scheduler").addNewContainer().withName("main").withImage("busybox")
                    .withNewResources().addToLimits(TangramNames.RESOURCE_GPU, new Quantity("2")).endResources().endContainer()
                    .endSpec().build()).create();

            ExtenderConfig config = ExtenderConfigLoader.parse("""
                    http: {host: 127.0.0.1, port: 0}
                    leaderElection: {enabled: true, followSchedulerLease: %s/tangram-scheduler}
                    """.formatted(Chart.NAMESPACE), "e2e");
            Config asExtender = new ConfigBuilder(admin).withImpersonateUsername(SA)
                    .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + Chart.NAMESPACE, "system:authenticated").build();
            try (KubernetesClient extenderClient = new KubernetesClientBuilder().withConfig(asExtender).build();
                 ExtenderApp extender = ExtenderApp.start(config, Optional.of(extenderClient), Clock.systemUTC(),
                         "tangram-scheduler-0_x", "tangram-scheduler-0")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> extender.synced() && extender.leadership().orElseThrow().leading());
                HttpClient http = HttpClient.newHttpClient();
                Pod current = client.pods().inNamespace("default").withName("trainer").get();

                JsonNode filter = post(http, extender.port(), "filter", Map.of("Pod", current, "NodeNames", List.of(nodeName)));
                assertThat(filter.get("NodeNames")).extracting(JsonNode::asText).containsExactly(nodeName);
                JsonNode scores = post(http, extender.port(), "prioritize", Map.of("Pod", current, "NodeNames", List.of(nodeName)));
                assertThat(scores.get(0).get("Host").asText()).isEqualTo(nodeName);
                JsonNode bind = post(http, extender.port(), "bind", Map.of("PodName", "trainer", "PodNamespace", "default",
                        "PodUID", pod.getMetadata().getUid(), "Node", nodeName));
                assertThat(bind.get("Error").asText()).isEmpty();
            }
            Pod bound = client.pods().inNamespace("default").withName("trainer").get();
            assertThat(bound.getSpec().getNodeName()).isEqualTo(nodeName);
            var decision = PlacementDecisionCodec.read(bound.getMetadata().getAnnotations().get(TangramNames.ANNOTATION_PLACEMENT));
            assertThat(decision.podUid()).isEqualTo(pod.getMetadata().getUid());
            assertThat(decision.containers().getFirst().deviceIds()).hasSize(2);
        }
    }

    private static JsonNode post(HttpClient http, int port, String verb, Object body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + verb))
                .POST(HttpRequest.BodyPublishers.ofString(StrictYaml.json(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
