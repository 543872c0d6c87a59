package dev.tangram.extender.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.ExampleCluster;
import dev.tangram.extender.KubeFixtures;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /ui} and {@code GET /ui/state.json} over real HTTP, on the example nodes in fabric8's mock API. */
class GpuMapHttpIT {
    private final ExampleExtender cluster = new ExampleExtender();

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static List<String> states(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.get("gpus").forEach(g -> out.add(g.get("state").asText()));
        return out;
    }

    @Test
    void thePageIsOneSelfContainedHtmlDocumentThatFetchesNothingFromElsewhere() {
        HttpResponse<String> r = cluster.http.get("/ui");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(r.headers().firstValue("Content-Security-Policy")).contains(GpuMapHttp.CONTENT_SECURITY_POLICY);
        assertThat(r.body()).startsWith("<!DOCTYPE html>").contains("<style>", "<script>", "state.json")
                .doesNotContain("src=", "<link", "@import", "http://", "https://", "innerHTML");
        assertThat(r.body().lines().count()).isLessThan(300);
    }

    @Test
    void theStateListsEveryNodeAndGpuAndAnswers304WhileNothingChanged() throws Exception {
        JsonNode state = cluster.state();
        assertThat(state.get("nodes")).hasSize(cluster.inventories.size());
        assertThat(state.at("/totals/gpus").asInt()).isEqualTo(cluster.gpuCount());
        assertThat(state.at("/totals/unhealthy").asInt()).isEqualTo(1);
        assertThat(states(ExampleExtender.node(state, ExampleCluster.DGX))).endsWith("unhealthy");
        JsonNode l4 = ExampleExtender.node(state, ExampleCluster.L4).get("gpus").get(0);
        assertThat(l4.at("/replicas/total").asInt()).isEqualTo(ExampleCluster.SHARED_REPLICAS);
        JsonNode migGpu = ExampleExtender.node(state, ExampleCluster.A100_MIG).get("gpus").get(0);
        assertThat(migGpu.get("mig").asBoolean()).isTrue();
        assertThat(migGpu.get("slices")).extracting(s -> s.get("profile").asText()).containsExactly("3g.40gb", "2g.20gb", "1g.10gb");

        HttpResponse<String> first = cluster.http.get(GpuMapHttp.STATE);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.base() + GpuMapHttp.STATE))
                .header("If-None-Match", etag).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void aBoundPodsGpusShowAsAllocatedToItAndTheStateChanges() throws Exception {
        String before = cluster.http.get(GpuMapHttp.STATE).headers().firstValue("ETag").orElseThrow();
        Pod pod = cluster.create(KubeFixtures.gpuPod("train", 2));
        cluster.bind(pod, ExampleCluster.DGX);

        HttpResponse<String> after = cluster.http.get(GpuMapHttp.STATE);
        assertThat(after.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(before);
        JsonNode dgx = ExampleExtender.node(ExampleExtender.JSON.readTree(after.body()), ExampleCluster.DGX);
        List<JsonNode> allocated = new ArrayList<>();
        dgx.get("gpus").forEach(g -> {
            if (g.get("state").asText().equals("allocated")) {
                allocated.add(g);
            }
        });
        assertThat(allocated).hasSize(2).allSatisfy(g -> assertThat(g.get("holders").get(0).asText()).isEqualTo("default/train"));
        assertThat(dgx.get("freeCapacity").asDouble()).isEqualTo(5.0);
    }

    @Test
    void sharedReplicasBoundOnAGpuAreCountedInsideItsCell() throws Exception {
        Pod pod = cluster.create(KubeFixtures.pod("infer", TangramNames.RESOURCE_GPU_SHARED, 3, Map.of()));
        cluster.bind(pod, ExampleCluster.L4);
        JsonNode l4 = ExampleExtender.node(cluster.state(), ExampleCluster.L4);
        assertThat(l4.get("gpus")).anySatisfy(g -> {
            assertThat(g.at("/replicas/used").asInt()).isEqualTo(3);
            assertThat(g.get("state").asText()).isEqualTo("partial");
        });
    }
}
