package dev.tangram.inference.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.model.MigDevice;
import dev.tangram.inference.cli.ServeCommand;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole server over a generated tiny GGUF model: the real engine behind the real scheduler and HTTP API. */
@Timeout(120)
class InferenceServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static Path model;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void writeModel() throws Exception {
        model = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
    }

    private static ServerConfig config() {
        return config(256);
    }

    private static ServerConfig config(int maxModelLen) {
        return config(maxModelLen, "f16");
    }

    private static ServerConfig config(int maxModelLen, String kvCacheType) {
        return ServerConfig.parse("""
                version: 1
                server: { host: 127.0.0.1, port: 0 }
                model: { maxModelLen: %d }
                memory: { cpuBudgetMib: 256 }
                kvCache: { blockSize: 8, type: %s }
                scheduler: { maxBatchTokens: 64, maxRunning: 4, maxWaiting: 8 }
                """.formatted(maxModelLen, kvCacheType));
    }

    private String metrics(InferenceServer s) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private JsonNode post(InferenceServer s, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body().startsWith("data: ") ? JSON.createObjectNode().put("sse", r.body()) : JSON.readTree(r.body());
    }

    private JsonNode get(InferenceServer s, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void servesAGeneratedModelWithItsAllocationArithmetic() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(), Map.of(), Optional.empty())) {
            assertThat(get(s, "/ready").get("status").asText()).isEqualTo("ready");
            JsonNode alloc = get(s, "/v1/allocation");
            assertThat(alloc.at("/kvCache/budgetSource").asText()).contains("no GPU", "cpuBudgetMib=256");
            assertThat(alloc.at("/kvCache/blocks").asInt()).isEqualTo(s.plan().blocks()).isPositive();
            // halves by default: 2 × 2 layers × 2 kv heads × 16 head dim × 2 B × 8 slots
            assertThat(alloc.at("/kvCache/bytesPerBlock").asLong()).isEqualTo(2L * 2 * 2 * 16 * 2 * 8);
            assertThat(alloc.at("/kvCache/cacheType").asText()).isEqualTo("f16");
            assertThat(alloc.at("/kvCache/bytesPerElement").asInt()).isEqualTo(2);
            assertThat(alloc.at("/kvCache/arithmetic").asText()).startsWith("kv cache: (256 MiB");
            // the same cache in vLLM's info gauge, for routers that read it
            String info = metrics(s).lines().filter(l -> l.startsWith("vllm:cache_config_info{")).findFirst().orElseThrow();
            assertThat(info).contains("block_size=\"8\"", "cache_dtype=\"f16\"", "enable_prefix_caching=\"True\"",
                    "gpu_memory_utilization=\"0.9\"", "num_gpu_blocks=\"" + s.plan().blocks() + "\"").endsWith("} 1");

            JsonNode c = post(s, "/v1/completions", "{\"prompt\":\"hello there\",\"max_tokens\":8,\"temperature\":0}");
            assertThat(c.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
            JsonNode chat = post(s, "/v1/chat/completions",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5,\"temperature\":0.8,\"seed\":1,\"stream\":true}");
            assertThat(chat.get("sse").asText()).startsWith("data: {").endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void aJsonResponseFormatGivesAJsonObjectOnTheRealVocabulary() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(), Map.of(), Optional.empty())) {
            String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"answer in JSON\"}],\"temperature\":0,"
                    + "\"response_format\":{\"type\":\"json_object\"}";
            // left to the random model, the object is still open after 30 tokens, but what there is starts a JSON object
            String open = post(s, "/v1/chat/completions", chat + ",\"max_tokens\":30}").at("/choices/0/message/content").asText();
            assertThat(open).startsWith("{");
            // with quotes and closing braces made likely (the bias can only choose among the tokens JSON allows) it closes
            // the object and stops at once
            JsonNode ids = post(s, "/tokenize", "{\"prompt\":\"\\\"}\",\"add_special_tokens\":false}").get("tokens");
            assertThat(ids).hasSize(2);
            JsonNode closed = post(s, "/v1/chat/completions", chat + ",\"max_tokens\":60,\"logit_bias\":{\"" + ids.get(0).asInt()
                    + "\":100,\"" + ids.get(1).asInt() + "\":100}}");
            assertThat(closed.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(JSON.readTree(closed.at("/choices/0/message/content").asText()).isObject()).isTrue();

            // a schema leaves the model only the choice between true and false, and the answer ends with the object
            JsonNode followed = post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"ok?\"}],"
                    + "\"max_tokens\":30,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\","
                    + "\"schema\":{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}}}}");
            assertThat(followed.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(followed.at("/choices/0/message/content").asText()).isIn("{\"ok\":true}", "{\"ok\":false}");
        }
    }

    @Test
    void aNamedToolChoiceAnswersWithThatFunctionsCallHeldToItsParameters() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(1024), Map.of(), Optional.empty())) { // room for the function shown
            String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],\"temperature\":0,\"max_tokens\":40,"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"today's weather\","
                    + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Oslo\"]},"
                    + "\"celsius\":{\"type\":\"boolean\"}},\"required\":[\"city\",\"celsius\"],\"additionalProperties\":false}}}],"
                    + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}";
            JsonNode choice = post(s, "/v1/chat/completions", request + "}").at("/choices/0");
            assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(choice.at("/message/content").isNull()).isTrue();
            JsonNode call = choice.at("/message/tool_calls/0");
            assertThat(call.get("id").asText()).startsWith("call_");
            assertThat(call.get("type").asText()).isEqualTo("function");
            assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
            String arguments = call.at("/function/arguments").asText();
            JsonNode args = JSON.readTree(arguments);
            assertThat(args.get("city").asText()).isIn("Paris", "Oslo");
            assertThat(args.get("celsius").isBoolean()).isTrue();

            // streamed: the first piece carries the call's id and name, the pieces' arguments add up to the same call
            String sse = post(s, "/v1/chat/completions", request + ",\"stream\":true}").get("sse").asText();
            StringBuilder streamed = new StringBuilder();
            String finish = null;
            boolean named = false;
            for (String line : sse.split("\n")) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode c = JSON.readTree(line.substring(6)).at("/choices/0");
                JsonNode piece = c.at("/delta/tool_calls/0");
                if (!piece.isMissingNode()) {
                    named |= piece.at("/function/name").asText().equals("get_weather") && piece.has("id");
                    streamed.append(piece.at("/function/arguments").asText());
                }
                if (c.hasNonNull("finish_reason")) {
                    finish = c.get("finish_reason").asText();
                }
            }
            assertThat(named).isTrue();
            assertThat(streamed.toString()).isEqualTo(arguments);
            assertThat(finish).isEqualTo("tool_calls");

            // a function without parameters is called with none
            JsonNode bare = post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"now\"}],\"max_tokens\":10,"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"now\"}}],\"tool_choice\":\"required\"}").at("/choices/0");
            assertThat(bare.at("/message/tool_calls/0/function/arguments").asText()).isEqualTo("{}");
            assertThat(bare.get("finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    /**
     * {@code tool_choice} "auto" on the generated model (a Llama 3 template, so calls are bare JSON): left to itself the
     * random model answers with text; held by a schema to the shape of a call, its answer comes back as that call.
     */
    @Test
    void withToolChoiceAutoTheModelsAnswerIsACallOnlyWhenItIsWrittenAsOne() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(1024), Map.of(), Optional.empty())) {
            String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],\"temperature\":0,\"max_tokens\":100,"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                    + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
            JsonNode text = post(s, "/v1/chat/completions", request + "}").at("/choices/0");
            assertThat(text.at("/message/tool_calls").isMissingNode()).isTrue();
            assertThat(text.at("/message/content").isTextual()).isTrue();
            assertThat(text.get("finish_reason").asText()).isIn("stop", "length");

            String call = request + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"call\",\"schema\":"
                    + "{\"type\":\"object\",\"properties\":{\"name\":{\"const\":\"get_weather\"},\"parameters\":{\"type\":\"object\","
                    + "\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Oslo\"]}},\"required\":[\"city\"],\"additionalProperties\":false}},"
                    + "\"required\":[\"name\",\"parameters\"],\"additionalProperties\":false}}}";
            JsonNode called = post(s, "/v1/chat/completions", call + "}").at("/choices/0");
            assertThat(called.get("finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(called.at("/message/content").isNull()).isTrue();
            assertThat(called.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
            assertThat(JSON.readTree(called.at("/message/tool_calls/0/function/arguments").asText()).get("city").asText()).isIn("Paris", "Oslo");

            // streamed, nothing of the call goes out as text: it comes whole, at the end
            String sse = post(s, "/v1/chat/completions", call + ",\"stream\":true}").get("sse").asText();
            List<JsonNode> pieces = new ArrayList<>();
            for (String line : sse.split("\n")) {
                if (line.startsWith("data: {")) {
                    pieces.add(JSON.readTree(line.substring(6)).at("/choices/0"));
                }
            }
            assertThat(pieces).allSatisfy(c -> assertThat(c.at("/delta/content").asText("")).isEmpty());
            assertThat(pieces).filteredOn(c -> c.at("/delta/tool_calls").isArray()).singleElement()
                    .satisfies(c -> assertThat(c.at("/delta/tool_calls/0/function/arguments").asText())
                            .isEqualTo(called.at("/message/tool_calls/0/function/arguments").asText()));
            assertThat(pieces.getLast().get("finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    @Test
    void theConfiguredReadAheadAndWeightLayoutReachTheKernels() throws Exception {
        ServerConfig off = ServerConfig.parse("""
                version: 1
                server: { host: 127.0.0.1, port: 0 }
                memory: { cpuBudgetMib: 256 }
                engine: { readAhead: 'off' }
                """);
        try (InferenceServer s = InferenceServer.start(model, off, Map.of(), Optional.empty())) {
            assertThat(s.readAhead().describe()).isEqualTo("read-ahead off (configured)");
            assertThat(post(s, "/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":2,\"temperature\":0}").get("choices")).hasSize(1);
        }
        // auto, the default, with the default lane layout: no matrix is left in the file's rows to read ahead in
        try (InferenceServer s = InferenceServer.start(model, config(), Map.of(), Optional.empty())) {
            assertThat(s.readAhead().distance()).isZero();
            assertThat(s.readAhead().reason()).isEqualTo("no Q8_0/Q4_0 matrix reads ahead: none in the file's row layout");
        }
        // auto with the file's rows: the tiny model has too few bytes to time, so it keeps 2 KiB and says why
        ServerConfig rows = ServerConfig.parse("""
                version: 1
                server: { host: 127.0.0.1, port: 0 }
                memory: { cpuBudgetMib: 256 }
                engine: { weightLayout: rows }
                """);
        try (InferenceServer s = InferenceServer.start(model, rows, Map.of(), Optional.empty())) {
            assertThat(s.readAhead().distance()).isEqualTo(2048);
            assertThat(s.readAhead().reason()).startsWith("default: ").contains("fewer than the 64.0 MiB");
            assertThat(post(s, "/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":2,\"temperature\":0}").get("choices")).hasSize(1);
        }
    }

    @Test
    void aPrefixCacheHitOnTheRealModelGivesTheSameGreedyText() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(), Map.of(), Optional.empty())) {
            String body = "{\"prompt\":\"" + "the quick brown fox jumps over the lazy dog. ".repeat(3) + "\",\"max_tokens\":12,\"temperature\":0}";
            JsonNode cold = post(s, "/v1/completions", body);
            JsonNode warm = post(s, "/v1/completions", body);
            assertThat(cold.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
            assertThat(warm.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isPositive();
            assertThat(warm.at("/choices/0/text").asText()).isEqualTo(cold.at("/choices/0/text").asText());
        }
    }

    @Test
    void greedyTextOfConcurrentRequestsEqualsThatOfEachRunAlone() throws Exception {
        try (InferenceServer s = InferenceServer.start(model, config(), Map.of(), Optional.empty())) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                bodies.add("{\"prompt\":\"request " + i + " asks " + "about things ".repeat(i + 1) + "\",\"max_tokens\":10,\"temperature\":0}");
            }
            List<String> alone = new ArrayList<>();
            for (String b : bodies) {
                alone.add(post(s, "/v1/completions", b).at("/choices/0/text").asText());
            }
            List<String> together = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<JsonNode>> futures = new ArrayList<>();
                for (String b : bodies) {
                    futures.add(pool.submit(() -> post(s, "/v1/completions", b)));
                }
                for (Future<JsonNode> f : futures) {
                    together.add(f.get().at("/choices/0/text").asText());
                }
            }
            assertThat(together).isEqualTo(alone);
        }
    }

    @Test
    void refusesToStartWhenTheModelDoesNotFitItsAllocation() throws Exception {
        // a tiny model with 4 KV heads: one 2048-token sequence takes 2 MiB of floats, 1 MiB of halves
        Path wide = dir.resolve("wide-kv.gguf");
        RandomModelWriter.write(new RandomModelSpec(2, 64, 4, 4, 128, 512, 2048, 10000f, GgmlType.Q8_0, true, 42), wide);
        long fixed;
        try (LoadedModel m = ModelLoader.load(wide, Runtime.getRuntime().availableProcessors())) {
            fixed = m.weightBytes() + m.forwardPass().activationBytes(64);
        }
        // the least whole MiB whose 90 % holds weights, activations (as many kernel threads as the server's) and the
        // sequence in halves: less than it takes in floats, so floats are refused, naming halves
        long mib = 1L << 20;
        String limit = Long.toString((long) Math.ceil((fixed + mib) / 0.9 / mib));
        assertThatThrownBy(() -> InferenceServer.start(wide, config(2048, "f32"), Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", limit),
                Optional.empty()))
                .isInstanceOf(StartupRefusedException.class)
                .hasMessageContaining("one sequence of 2048 tokens needs 256 blocks")
                .hasMessageContaining("kvCache.type: f16")
                .hasMessageContaining("TANGRAM_GPU_MEMORY_LIMIT_MIB=" + limit)
                .hasMessageContaining("kv cache: (" + limit + " MiB");
        // in halves (the default) the same sequence fits the same budget
        try (InferenceServer s = InferenceServer.start(wide, config(2048), Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", limit), Optional.empty())) {
            assertThat(s.plan().blocks()).isGreaterThanOrEqualTo(256);
            assertThat(s.plan().type()).isEqualTo(KvCacheType.F16);
        }
        // and a budget the weights and activations alone exceed is refused, saying so
        assertThatThrownBy(() -> InferenceServer.start(wide, config(2048), Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", "1"), Optional.empty()))
                .isInstanceOf(StartupRefusedException.class).hasMessageContaining("the model does not fit");
        assertThatThrownBy(() -> InferenceServer.start(model, config(), Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", "lots"), Optional.empty()))
                .isInstanceOf(StartupRefusedException.class).hasMessageContaining("TANGRAM_GPU_MEMORY_LIMIT_MIB must be a positive number");
    }

    /**
     * {@code kvCache.type: q8_0}: a model whose heads are a multiple of 32 is served from Q8_0 blocks, the allocation and
     * the info gauge say so, and a prompt that shares its prefix with an earlier one (a prefix-cache hit over quantized
     * blocks) gives the tokens it gave alone; a model whose heads are not is refused at start, saying why.
     */
    @Test
    void servesFromQ8BlocksWhereTheModelsHeadsAllowThem() throws Exception {
        Path heads32 = dir.resolve("heads32.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(Architecture.LLAMA, 32, false), heads32);
        try (InferenceServer s = InferenceServer.start(heads32, config(256, "q8_0"), Map.of(), Optional.empty())) {
            JsonNode alloc = get(s, "/v1/allocation");
            assertThat(alloc.at("/kvCache/cacheType").asText()).isEqualTo("q8_0");
            assertThat(alloc.at("/kvCache/bytesPerElement").asDouble()).isEqualTo(1.0625);
            // 2 × 2 layers × (2 kv heads × 32 head dim × 8 slots) elements × 34 / 32 B
            assertThat(alloc.at("/kvCache/bytesPerBlock").asLong()).isEqualTo(2L * 2 * 2 * 32 * 8 * 34 / 32);
            assertThat(alloc.at("/kvCache/arithmetic").asText()).contains("× 1.0625 B [q8_0] × 8 slots");
            assertThat(metrics(s)).contains("cache_dtype=\"q8_0\"");
            String shared = "a shared beginning that fills more than two blocks of eight tokens each ";
            String first = post(s, "/v1/completions", "{\"prompt\":\"" + shared + "then one way\",\"max_tokens\":8,\"temperature\":0}")
                    .at("/choices/0/text").asText();
            String second = "{\"prompt\":\"" + shared + "then another\",\"max_tokens\":8,\"temperature\":0}";
            String afterHit = post(s, "/v1/completions", second).at("/choices/0/text").asText();
            assertThat(first).isNotEmpty();
            String hits = metrics(s).lines().filter(l -> l.startsWith("vllm:prefix_cache_hits_total{")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(hits.substring(hits.lastIndexOf(' ') + 1))).isPositive();
            try (InferenceServer fresh = InferenceServer.start(heads32, config(256, "q8_0"), Map.of(), Optional.empty())) {
                assertThat(post(fresh, "/v1/completions", second).at("/choices/0/text").asText()).isEqualTo(afterHit);
            }
        }
        assertThatThrownBy(() -> InferenceServer.start(model, config(256, "q8_0"), Map.of(), Optional.empty()))
                .isInstanceOf(StartupRefusedException.class)
                .hasMessageContaining("a KV cache of q8_0 needs a head size that is a multiple of 32; this model's is 16");
    }

    /**
     * A Gemma 3 model (its first layer slides a window of 8 positions): by default that layer keeps its window apart, in
     * a pool the allocation shows, and the answers, a prefix-cache hit's included, are those of a server that keeps every
     * position in every layer ({@code kvCache.slidingWindow: full}).
     */
    @Test
    void aGemmaModelKeepsItsSlidingWindowLayersApartAndAnswersAsWithThemFull() throws Exception {
        Path gemma = dir.resolve("gemma3.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(Architecture.GEMMA3, 32, false), gemma);
        String shared = "a shared beginning that runs well past the window of eight positions ";
        List<String> bodies = List.of("{\"prompt\":\"" + shared + "then one way\",\"max_tokens\":12,\"temperature\":0}",
                "{\"prompt\":\"" + shared + "then another\",\"max_tokens\":12,\"temperature\":0}");
        List<String> apart = new ArrayList<>();
        try (InferenceServer s = InferenceServer.start(gemma, config(), Map.of(), Optional.empty())) {
            JsonNode pool = get(s, "/v1/allocation").at("/kvCache/slidingWindowPool");
            assertThat(pool.get("layers").asInt()).isEqualTo(1);
            assertThat(pool.get("size").asInt()).isEqualTo(8);
            // 4 running × (1 block a window of 7 behind reaches + 2) + 8 blocks of a step's 64 tokens, twice
            assertThat(pool.get("blocks").asInt()).isEqualTo(2 * (4 * 3 + 8));
            assertThat(pool.get("bytesPerBlock").asLong()).isEqualTo(2L * 1 * 2 * 32 * 2 * 8);
            assertThat(pool.get("sizing").asText()).isEqualTo("running");
            assertThat(pool.get("sequences").asDouble()).isEqualTo(8.0);
            assertThat(get(s, "/v1/allocation").at("/kvCache/arithmetic").asText())
                    .contains("(2 × 1 full-attention layers × 2 kv heads × 32 head dim × 2 B [f16] × 8 slots)",
                            "the 1 sliding-window layers keep their 8-position windows apart: 40 blocks",
                            "the windows of 4 running sequences and as many ended ones");
            for (String b : bodies) {
                apart.add(post(s, "/v1/completions", b).at("/choices/0/text").asText());
            }
            String hits = metrics(s).lines().filter(l -> l.startsWith("vllm:prefix_cache_hits_total{")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(hits.substring(hits.lastIndexOf(' ') + 1))).isPositive();
        }
        ServerConfig full = ServerConfig.parse("""
                version: 1
                server: { host: 127.0.0.1, port: 0 }
                model: { maxModelLen: 256 }
                memory: { cpuBudgetMib: 256 }
                kvCache: { blockSize: 8, slidingWindow: full }
                scheduler: { maxBatchTokens: 64, maxRunning: 4, maxWaiting: 8 }
                """);
        try (InferenceServer s = InferenceServer.start(gemma, full, Map.of(), Optional.empty())) {
            assertThat(get(s, "/v1/allocation").at("/kvCache/slidingWindowPool").isNull()).isTrue();
            assertThat(s.plan().bytesPerBlock()).isEqualTo(2L * 2 * 2 * 32 * 2 * 8);
            for (int i = 0; i < bodies.size(); i++) {
                assertThat(post(s, "/v1/completions", bodies.get(i)).at("/choices/0/text").asText()).as("request %d", i).isEqualTo(apart.get(i));
            }
        }
    }

    @Test
    void readsAMigAllocationThroughTheGpuProbe() throws Exception {
        Path spec = Path.of("").toAbsolutePath().getParent().resolve("examples/nodes/a100-mig.yaml");
        try (SimulatedGpuProbe probe = SimulatedGpuProbe.open(spec)) {
            MigDevice mig = probe.inventory().gpus().stream().flatMap(g -> g.migDevices().stream()).findFirst().orElseThrow();
            Map<String, String> env = Map.of("NVIDIA_VISIBLE_DEVICES", mig.uuid(), "TANGRAM_GPU_MEMORY_LIMIT_MIB", "64");
            try (InferenceServer s = InferenceServer.start(model, config(), env, Optional.of(probe))) {
                JsonNode alloc = get(s, "/v1/allocation");
                assertThat(alloc.at("/allocation/visibleDevicesVariable").asText()).isEqualTo("NVIDIA_VISIBLE_DEVICES");
                assertThat(alloc.at("/allocation/devices/0/uuid").asText()).isEqualTo(mig.uuid());
                assertThat(alloc.at("/allocation/devices/0/kind").asText()).isEqualTo("mig");
                assertThat(alloc.at("/allocation/devices/0/memoryMib").asLong()).isEqualTo(mig.memoryMib());
                assertThat(alloc.at("/allocation/probe").asText()).startsWith("simulated");
                assertThat(alloc.at("/kvCache/budgetSource").asText()).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=64", mig.uuid());
                assertThat(alloc.at("/kvCache/gpuBudget").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void refusesACorruptModelFileNamingIt() throws Exception {
        Path broken = dir.resolve("broken.gguf");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> InferenceServer.start(broken, config(), Map.of(), Optional.empty()))
                .isInstanceOf(StartupRefusedException.class).hasMessageContaining("broken.gguf");
    }

    @Test
    void theServeCommandStopsOnABadConfigNamingTheField() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\nscheduler: { maxRuning: 4 }\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new ServeCommand()).execute("--model", model.toString(), "--config", bad.toString());
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("scheduler.maxRuning: unknown field");
    }
}
