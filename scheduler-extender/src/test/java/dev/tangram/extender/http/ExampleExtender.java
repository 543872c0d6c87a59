package dev.tangram.extender.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.extender.ExampleCluster;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.config.ExtenderConfigLoader;
import dev.tangram.extender.kube.MockApi;
import io.fabric8.kubernetes.api.model.Pod;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The extender on fabric8's mock API (CRUD) holding the example nodes, with helpers to create, filter and bind pods. */
final class ExampleExtender implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final List<NodeInventory> inventories = ExampleCluster.inventories();
    final MockApi api = new MockApi();
    final ExtenderApp app;
    final HttpClientFixture http;

    ExampleExtender() {
        for (NodeInventory inv : inventories) {
            api.client().nodes().resource(KubeFixtures.node(inv)).create();
        }
        app = ExtenderApp.start(ExtenderConfigLoader.parse("""
                http: {host: 127.0.0.1, port: 0}
                leaderElection: {enabled: false}
                gangTtl: 10m
                """, "test"), Optional.of(api.client()), Clock.systemUTC(), "test");
        await().atMost(Duration.ofSeconds(30)).until(app::synced);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.state().figures().nodes() == inventories.size());
        http = HttpClientFixture.plain(app.port());
    }

    int gpuCount() {
        return inventories.stream().mapToInt(i -> i.gpus().size()).sum();
    }

    String base() {
        return "http://127.0.0.1:" + app.port();
    }

    Pod create(Pod pod) {
        Pod created = api.client().pods().inNamespace("default").resource(pod).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.state().pod(created.getMetadata().getUid()).isPresent());
        return created;
    }

    /** Binds through {@code POST /bind} and expects success. */
    void bind(Pod pod, String node) throws Exception {
        HttpResponse<String> r = http.post("/bind", JSON.writeValueAsString(Map.of("PodName", pod.getMetadata().getName(),
                "PodNamespace", "default", "PodUID", pod.getMetadata().getUid(), "Node", node)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("Error").asText()).as("bind of " + pod.getMetadata().getName()).isEmpty();
    }

    /** Filters through {@code POST /filter} (node names, as kube-scheduler sends with nodeCacheCapable). */
    JsonNode filter(Pod pod) throws Exception {
        HttpResponse<String> r = http.post("/filter", JSON.writeValueAsString(Map.of("Pod", pod,
                "NodeNames", inventories.stream().map(NodeInventory::nodeName).toList())));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    JsonNode state() throws Exception {
        HttpResponse<String> r = http.get(GpuMapHttp.STATE);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode node(JsonNode state, String name) {
        for (JsonNode n : state.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in the map");
    }

    @Override
    public void close() {
        app.close();
        api.close();
    }
}
