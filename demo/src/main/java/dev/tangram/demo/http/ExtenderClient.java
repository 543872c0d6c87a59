package dev.tangram.demo.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calls kube-scheduler makes to an extender configured with {@code nodeCacheCapable: true}, over HTTP with the
 * extender API's JSON: {@code filter} and {@code prioritize} with the pod and node names, {@code bind} with the pod's
 * identity and the chosen node.
 */
public final class ExtenderClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public ExtenderClient(URI base) {
        this.base = base;
    }

    /** Nodes that passed, and the reason of each that failed. */
    public record FilterResult(List<String> nodeNames, Map<String, String> failed, String error) {
    }

    public FilterResult filter(Pod pod, List<String> nodes) throws IOException, InterruptedException {
        JsonNode r = post("filter", args(pod, nodes));
        List<String> passed = new ArrayList<>();
        r.path("NodeNames").forEach(n -> passed.add(n.asText()));
        Map<String, String> failed = new LinkedHashMap<>();
        r.path("FailedNodes").properties().forEach(e -> failed.put(e.getKey(), e.getValue().asText()));
        r.path("FailedAndUnresolvableNodes").properties().forEach(e -> failed.put(e.getKey(), e.getValue().asText()));
        return new FilterResult(passed, failed, r.path("Error").asText(""));
    }

    /** Node → score (0..10 as the extender API defines them). */
    public Map<String, Long> prioritize(Pod pod, List<String> nodes) throws IOException, InterruptedException {
        JsonNode r = post("prioritize", args(pod, nodes));
        Map<String, Long> scores = new LinkedHashMap<>();
        r.forEach(h -> scores.put(h.path("Host").asText(), h.path("Score").asLong()));
        return scores;
    }

    /** The bind error, empty when the pod was bound. */
    public String bind(Pod pod, String node) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode()
                .put("PodName", pod.getMetadata().getName())
                .put("PodNamespace", pod.getMetadata().getNamespace())
                .put("PodUID", pod.getMetadata().getUid())
                .put("Node", node);
        return post("bind", body).path("Error").asText("");
    }

    private static ObjectNode args(Pod pod, List<String> nodes) {
        ObjectNode body = JSON.createObjectNode();
        body.set("Pod", JSON.valueToTree(pod));
        body.set("NodeNames", JSON.valueToTree(nodes));
        return body;
    }

    private JsonNode post(String verb, JsonNode body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(verb)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException("extender " + verb + " answered HTTP " + resp.statusCode() + ": " + resp.body());
        }
        return JSON.readTree(resp.body());
    }
}
