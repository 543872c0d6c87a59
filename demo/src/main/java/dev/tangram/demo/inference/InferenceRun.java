package dev.tangram.demo.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.inference.config.ConfigException;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.server.InferenceServer;
import dev.tangram.nvml.sim.SimulatedGpuProbe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The inference pod's container, in this process: a tiny random GGUF model, the server started with the environment
 * {@code Allocate} gave the container and the node's simulated GPUs, one {@code /v1/completions} request and
 * {@code /v1/allocation} read back over HTTP.
 */
public final class InferenceRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** memory.utilisation of the in-process server. */
    public static final double UTILISATION = 0.2;

    /** The answer text, the KV cache arithmetic line, and the budget's source as the server explains it. */
    public record Outcome(String prompt, String answer, String arithmetic, String budgetSource, long memoryLimitMib, int completionTokens) {
    }

    private InferenceRun() {
    }

    public static Path writeTinyModel(Path dir) throws IOException {
        Path model = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
        return model;
    }

    public static Outcome run(Path model, Map<String, String> env, Path nodeSpec, String prompt) throws IOException, InterruptedException {
        // the server shares this JVM's heap with the whole stack: its KV cache may take a fifth of the budget, not 90 %
        Path config = model.resolveSibling("serve.yaml");
        Files.writeString(config, "version: 1\nserver: {host: 127.0.0.1, port: 0}\nmemory: {utilisation: " + UTILISATION + "}\n");
        ServerConfig cfg;
        try {
            cfg = ServerConfig.load(config);
        } catch (ConfigException e) {
            throw new IllegalStateException("the demo's server config " + config + " is invalid: " + e.getMessage(), e);
        }
        GpuProbe probe = SimulatedGpuProbe.open(nodeSpec);
        try (InferenceServer server = InferenceServer.start(model, cfg, env, Optional.of(probe))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
            String body = JSON.writeValueAsString(Map.of("prompt", prompt, "max_tokens", 12, "temperature", 0));
            JsonNode completion = send(http, HttpRequest.newBuilder(base.resolve("v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
            JsonNode allocation = send(http, HttpRequest.newBuilder(base.resolve("v1/allocation")).GET());
            JsonNode kv = allocation.path("kvCache");
            return new Outcome(prompt, completion.path("choices").path(0).path("text").asText(""), kv.path("arithmetic").asText(""),
                    kv.path("budgetSource").asText(""), allocation.path("allocation").path("memoryLimitMib").asLong(0),
                    completion.path("usage").path("completion_tokens").asInt(0));
        } finally {
            probe.close();
        }
    }

    private static JsonNode send(HttpClient http, HttpRequest.Builder req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(req.build().uri() + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
