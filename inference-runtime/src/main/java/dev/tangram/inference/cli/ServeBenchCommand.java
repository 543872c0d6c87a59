package dev.tangram.inference.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.server.InferenceServer;
import dev.tangram.inference.tokenizer.Tokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code tangram serve-bench}: starts the server in-process on a free port and measures it over real HTTP: aggregate
 * generation throughput at several concurrencies, and time to first token for a long prompt cold and with a shared
 * cached prefix. Prompts are random token ids of exact lengths (distinct per request, so only the TTFT run shares a
 * prefix).
 */
@Command(name = "serve-bench", mixinStandardHelpOptions = true, description = "Measures the inference server over HTTP.")
public final class ServeBenchCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the GGUF model file") Path model;
    @Option(names = "--config", description = "server config (YAML); port is forced to a free one") Path config;
    @Option(names = "--concurrency", split = ",", description = "concurrent requests per round (default 1,4,16)") int[] concurrency = {1, 4, 16};
    @Option(names = "--prompt-tokens", description = "prompt length of the throughput requests (default 32)") int promptTokens = 32;
    @Option(names = "--max-tokens", description = "tokens generated per throughput request (default 32)") int maxTokens = 32;
    @Option(names = "--ttft-prompt", description = "prompt length of the TTFT runs (default 2000; 0 skips them)") int ttftPrompt = 2000;
    @Option(names = "--shared-prefix", description = "cached shared prefix of the warm TTFT run (default 1900)") int sharedPrefix = 1900;
    @Option(names = "--decode-steps", description = "decode steps timed after the TTFT prompt and after a short one, streamed "
            + "(default 32; 0 skips them)") int decodeSteps = 32;
    @Option(names = "--seed", description = "seed of the random prompts") long seed = 1;
    @Option(names = "--temperature", description = "sampling temperature of the throughput requests (default 0: greedy; each "
            + "request then gets its own seed)") double temperature = 0;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    public Integer call() throws Exception {
        ServerConfig cfg = (config == null ? ServerConfig.DEFAULTS : ServerConfig.load(config)).withPort(0);
        try (InferenceServer server = InferenceServer.start(model, cfg, System.getenv(), Optional.empty())) {
            Random rnd = new Random(seed);
            int[] ordinary = ordinaryTokens(server.tokenizer());
            String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
            System.out.println("model " + model + ": " + server.plan().arithmetic(server.modelConfig()));
            System.out.println("warm-up...");
            complete(url, prompt(rnd, ordinary, promptTokens), 4, temperature, seed);
            System.out.println();
            System.out.println("| concurrent requests | prompt tokens | generated tokens | wall s | aggregate tokens/s |");
            System.out.println("|---:|---:|---:|---:|---:|");
            for (int c : concurrency) {
                List<int[]> prompts = new ArrayList<>();
                for (int i = 0; i < c; i++) {
                    prompts.add(prompt(rnd, ordinary, promptTokens));
                }
                long start = System.nanoTime();
                int generated = 0;
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<JsonNode>> results = new ArrayList<>();
                    for (int i = 0; i < prompts.size(); i++) {
                        int[] p = prompts.get(i);
                        long requestSeed = seed + i;
                        results.add(pool.submit(() -> complete(url, p, maxTokens, temperature, requestSeed)));
                    }
                    for (Future<JsonNode> f : results) {
                        generated += f.get().at("/usage/completion_tokens").asInt();
                    }
                }
                double wall = (System.nanoTime() - start) / 1e9;
                System.out.printf("| %d | %d | %d | %.2f | %.2f |%n", c, promptTokens, generated, wall, generated / wall);
            }
            if (ttftPrompt > 0) {
                int[] shared = prompt(rnd, ordinary, sharedPrefix);
                double cold = timeToFirstToken(url, prompt(rnd, ordinary, ttftPrompt));
                timeToFirstToken(url, withPrefix(shared, prompt(rnd, ordinary, ttftPrompt - sharedPrefix)));
                double warm = timeToFirstToken(url, withPrefix(shared, prompt(rnd, ordinary, ttftPrompt - sharedPrefix)));
                System.out.println();
                System.out.println("| time to first token, " + ttftPrompt + "-token prompt | seconds |");
                System.out.println("|---|---:|");
                System.out.printf("| cold (nothing cached) | %.3f |%n", cold);
                System.out.printf("| %d-token shared prefix cached | %.3f |%n", sharedPrefix, warm);
                System.out.printf("| speed-up | %.1f× |%n", cold / warm);
                if (decodeSteps > 0) {
                    int[] longPrompt = withPrefix(shared, prompt(rnd, ordinary, ttftPrompt - sharedPrefix));
                    double afterLong = decodeStep(url, longPrompt);
                    double afterShort = decodeStep(url, prompt(rnd, ordinary, promptTokens));
                    System.out.println();
                    System.out.println("| one stream, mean decode step over " + decodeSteps + " steps | ms |");
                    System.out.println("|---|---:|");
                    System.out.printf("| after a %d-token prompt (%d of it cached) | %.1f |%n", ttftPrompt, sharedPrefix, afterLong * 1e3);
                    System.out.printf("| after a %d-token prompt | %.1f |%n", promptTokens, afterShort * 1e3);
                }
            }
        }
        return 0;
    }

    /** Token ids that are plain text: no BOS, no end-of-generation, non-empty bytes. */
    private static int[] ordinaryTokens(Tokenizer t) {
        return java.util.stream.IntStream.range(0, t.vocabSize())
                .filter(i -> i != t.bos() && !t.isEndOfGeneration(i) && t.tokenBytes(i).length > 0).toArray();
    }

    private static int[] prompt(Random rnd, int[] ordinary, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = ordinary[rnd.nextInt(ordinary.length)];
        }
        return p;
    }

    private static int[] withPrefix(int[] prefix, int[] rest) {
        int[] p = Arrays.copyOf(prefix, prefix.length + rest.length);
        System.arraycopy(rest, 0, p, prefix.length, rest.length);
        return p;
    }

    private JsonNode complete(String url, int[] prompt, int max, double temperature, long requestSeed) throws Exception {
        String body = json.writeValueAsString(java.util.Map.of("prompt", prompt, "max_tokens", max, "temperature", temperature,
                "seed", requestSeed));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    /** Seconds until the first streamed token event of a one-token request. */
    private double timeToFirstToken(String url, int[] prompt) throws Exception {
        String body = json.writeValueAsString(java.util.Map.of("prompt", prompt, "max_tokens", 1, "temperature", 0, "stream", true));
        long start = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofLines());
        try (var lines = r.body()) {
            var first = lines.filter(l -> l.startsWith("data: ")).findFirst();
            if (first.isEmpty() || r.statusCode() != 200) {
                throw new IllegalStateException("no token came back (HTTP " + r.statusCode() + ")");
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Seconds per decode step of one streamed request of {@code decodeSteps + 1} greedy tokens (past the end token): the
     * time from its first token event to its last chunk, divided by the tokens generated after the first.
     */
    private double decodeStep(String url, int[] prompt) throws Exception {
        String body = json.writeValueAsString(java.util.Map.of("prompt", prompt, "max_tokens", decodeSteps + 1, "temperature", 0,
                "ignore_eos", true, "stream", true, "stream_options", java.util.Map.of("include_usage", true)));
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
        }
        long first = 0;
        long last = 0;
        int generated = 0;
        try (var lines = r.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                long now = System.nanoTime();
                JsonNode chunk = json.readTree(line.substring(6));
                if (chunk.hasNonNull("usage")) {
                    generated = chunk.at("/usage/completion_tokens").asInt();
                } else {
                    first = first == 0 ? now : first;
                    last = now;
                }
            }
        }
        if (generated < 2) {
            throw new IllegalStateException("the decode run generated " + generated + " tokens");
        }
        return (last - first) / 1e9 / (generated - 1);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeBenchCommand()).execute(args));
    }
}
