package dev.tangram.extender.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.config.ExtenderConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorded kube-scheduler bodies against a real HTTP server, with no Kubernetes API configured. */
class ProtocolIT {
    private static ExtenderApp app;
    private static HttpClientFixture http;

    @BeforeAll
    static void start() {
        ExtenderConfig cfg = ExtenderConfigLoader.parse("""
                http: {host: 127.0.0.1, port: 0, urlPrefix: /gpu/, maxRequestBytes: 200000}
                scoring: {policy: topology}
                """, "test");
        app = ExtenderApp.start(cfg, Optional.empty(), Clock.systemUTC(), "test");
        http = HttpClientFixture.plain(app.port());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void fullNodeListFilterPassesNodesWithFreeGpusAndAnswersThemAsANodeList() {
        HttpResponse<String> r = http.post("/gpu/filter", RecordedRequests.withInventories("001-full-filter.json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = RecordedRequests.tree(r.body());
        assertThat(body.get("Error").asText()).isEmpty();
        List<String> items = new ArrayList<>();
        body.get("Nodes").get("items").forEach(n -> items.add(n.get("metadata").get("name").asText()));
        assertThat(items).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        assertThat(body.get("NodeNames")).hasSize(3);
        assertThat(body.get("FailedNodes")).isEmpty();
    }

    @Test
    void nodesWithoutATangramInventoryAreUnresolvableWithTheReason() {
        HttpResponse<String> r = http.post("/gpu/filter", RecordedRequests.text("001-full-filter.json"));
        JsonNode body = RecordedRequests.tree(r.body());
        assertThat(body.get("NodeNames")).isEmpty();
        assertThat(body.get("FailedAndUnresolvableNodes").get("node-a").asText()).contains("tangram.dev/gpu-inventory");
    }

    @Test
    void cacheCapableFilterWithoutAnApiNamesTheNodesUnknownAsFailedNodes() {
        HttpResponse<String> r = http.post("/gpu/filter", RecordedRequests.text("002-cache-filter.json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = RecordedRequests.tree(r.body());
        assertThat(body.get("NodeNames")).isEmpty();
        assertThat(body.get("Nodes").isNull()).isTrue();
        assertThat(body.get("FailedNodes").get("node-c").asText()).contains("unknown node node-c");
    }

    @Test
    void prioritizeScoresEveryNodeBetweenZeroAndTen() {
        HttpResponse<String> r = http.post("/gpu/prioritize", RecordedRequests.withInventories("004-full-prioritize.json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = RecordedRequests.tree(r.body());
        assertThat(body).hasSize(3);
        body.forEach(h -> {
            assertThat(h.get("Host").asText()).startsWith("node-");
            assertThat(h.get("Score").asLong()).isBetween(0L, 10L);
        });
        // An empty DGX node, two NVLinked GPUs on one NUMA node: topology is perfect.
        assertThat(body.get(0).get("Score").asLong()).isGreaterThan(0);
    }

    @Test
    void lowerCaseKeysFromOldSchedulersAreAccepted() {
        String lower = RecordedRequests.withInventories("001-full-filter.json").replace("\"Pod\"", "\"pod\"")
                .replace("\"Nodes\"", "\"nodes\"").replace("\"NodeNames\"", "\"nodenames\"");
        JsonNode body = RecordedRequests.tree(http.post("/gpu/filter", lower).body());
        assertThat(body.get("NodeNames")).hasSize(3);
    }

    @Test
    void bindWithoutAnApiAnswersAnErrorSayingWhy() {
        HttpResponse<String> r = http.post("/gpu/bind", RecordedRequests.text("005-full-bind.json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(RecordedRequests.tree(r.body()).get("Error").asText()).contains("needs the Kubernetes API");
    }

    @Test
    void preemptAnswersInTheUidFormForBothRequestShapes() {
        for (String file : List.of("019-full-preempt.json", "020-cache-preempt.json")) {
            HttpResponse<String> r = http.post("/gpu/preempt", RecordedRequests.text(file));
            assertThat(r.statusCode()).as(file + r.body()).isEqualTo(200);
            JsonNode victims = RecordedRequests.tree(r.body()).get("NodeNameToMetaVictims");
            assertThat(victims.size()).as(file).isEqualTo(3);
            victims.forEach(v -> assertThat(v.get("Pods").get(0).get("UID").asText()).isNotEmpty());
        }
    }

    @Test
    void malformedJsonIsA400WithAMessage() {
        HttpResponse<String> r = http.post("/gpu/filter", "{\"Pod\": {\"metadata\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("malformed JSON");
        HttpResponse<String> noPod = http.post("/gpu/prioritize", "{\"NodeNames\": [\"a\"]}");
        assertThat(noPod.statusCode()).isEqualTo(400);
        assertThat(noPod.body()).contains("no Pod");
    }

    @Test
    void oversizedBodiesAreA400NamingTheLimit() {
        String big = "{\"NodeNames\": [\"" + "x".repeat(300_000) + "\"]}";
        HttpResponse<String> r = http.post("/gpu/filter", big);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("200000 bytes");
    }

    @Test
    void healthReadinessAndMetricsAreServed() {
        http.post("/gpu/filter", RecordedRequests.withInventories("001-full-filter.json"));
        assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("tangram_extender_request_seconds_bucket").contains("verb=\"filter\"")
                .contains("tangram_extender_decisions_total").contains("tangram_extender_gang_reservations")
                .contains("tangram_extender_cache_nodes");
    }
}
