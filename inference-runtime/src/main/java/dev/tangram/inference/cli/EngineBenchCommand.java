package dev.tangram.inference.cli;

import dev.tangram.inference.kernels.MatmulKernel;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.kernels.WeightMatrix;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LlamaWeights;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.sampling.JsonFormat;
import dev.tangram.inference.sampling.JsonSchema;
import dev.tangram.inference.sampling.LogitRules;
import dev.tangram.inference.sampling.Sampler;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.GenerationRequest;
import dev.tangram.inference.scheduler.TokenSampler;
import dev.tangram.inference.scheduler.TokenSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tangram engine-bench}: decode throughput of the engine alone (no scheduler, no HTTP) at several batch sizes,
 * and this machine's memory bandwidth (a STREAM-like triad), for docs/benchmarks.md.
 */
@Command(name = "engine-bench", mixinStandardHelpOptions = true, description = "Measures decode tokens/s and memory bandwidth.")
public final class EngineBenchCommand implements Callable<Integer> {
    @Option(names = "--model", description = "GGUF model; without it only the bandwidth is measured") Path model;
    @Option(names = "--batch", split = ",", description = "concurrent sequences per step (default 1,4,16)") int[] batches = {1, 4, 16};
    @Option(names = "--tokens", description = "decode steps measured per batch size (default 16)") int tokens = 16;
    @Option(names = "--warmup", description = "decode steps run before timing, so that the JIT has compiled the kernels (default 3)") int warmup = 3;
    @Option(names = "--prompt", description = "prompt tokens per sequence before decoding (default 16)") int prompt = 16;
    @Option(names = "--threads", description = "kernel threads (default: available processors)") int threads = Runtime.getRuntime().availableProcessors();
    @Option(names = "--bandwidth-mib", description = "size of each triad array in MiB (default 256)") int bandwidthMiB = 256;
    @Option(names = "--read-ahead", description = "the one-token kernels' read-ahead: auto (timed at load), off, or bytes ahead "
            + "(default auto)", converter = ReadAheadConverter.class) ReadAheadSetting readAhead = ReadAheadSetting.AUTO;
    @Option(names = "--weight-layout", description = "auto (lanes where the copy fits beside the heap), lanes (Q8_0/Q4_0 "
            + "rearranged at load, rows in vector lanes) or rows (computed from the mapped file) (default auto)",
            converter = WeightLayoutConverter.class) WeightLayout layout = WeightLayout.AUTO;
    @Option(names = "--q4-activations", description = "what Q4_0 and K-quant matrices in lanes multiply: int8 (the input rounded to 8 bits "
            + "per block of 32) or float (default int8)", converter = Q4ActivationsConverter.class)
    Q4Activations q4Activations = Q4Activations.INT8;
    @Option(names = "--kv-cache-type", description = "what the KV cache stores: f16 (IEEE halves, as serve does by default), f32 "
            + "or q8_0 (Q8_0 blocks, for heads of a multiple of 32) (default f16)", converter = KvCacheTypeConverter.class)
    KvCacheType kvCacheType = KvCacheType.F16;
    @Option(names = "--matmul-tokens", split = ",", description = "also time the batched matmul alone, over every layer's FFN gate "
            + "and down matrices, for these token counts (GMAC/s)") int[] matmulTokens = {};
    @Option(names = "--json-mask-tokens", description = "also time sampling under a JSON response format (any object, and a "
            + "schema of strings) over the model's vocabulary for this many greedy draws from random logits, after 200 (default 0: "
            + "skip)") int jsonMaskTokens;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || tokens < 1) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --tokens >= 1 (got " + warmup + ", " + tokens + ")");
        }
        double gbs = triadBandwidth(bandwidthMiB);
        System.out.printf("memory bandwidth (triad, 3 arrays of %d MiB, best of 5): %.2f GB/s%n", bandwidthMiB, gbs);
        if (model == null) {
            return 0;
        }
        try (LoadedModel m = ModelLoader.load(model, threads, readAhead, layout, q4Activations)) {
            // a mixture of experts reads only the experts a token goes through
            double weightsGb = m.weights().bytesPerToken(m.config().experts().used()) / 1e9;
            String experts = m.config().experts().present() ? String.format(" (%.3f GB in all; %d of %d experts a token)",
                    m.weightBytes() / 1e9, m.config().experts().used(), m.config().experts().count()) : "";
            System.out.printf("model %s: %.3f GB of weights a token reads%s, %d threads, %s; bandwidth limit %.2f tokens/s%n", m.name(),
                    weightsGb, experts, threads, MatmulKernel.vectorShape(), gbs / weightsGb);
            System.out.println(m.readAhead().describe());
            System.out.println("weight layout " + m.layout());
            for (int t : matmulTokens) {
                System.out.printf("matmul, %d tokens: %.1f GMAC/s (FFN gate and down of %d layers, %d threads, best of 3)%n", t,
                        matmul(m, t), m.config().layers(), threads);
            }
            if (jsonMaskTokens > 0) {
                jsonMask(m);
            }
            double single = 0;
            if (batches.length > 0) {
                System.out.printf("decode after a %d-token prompt, KV cache of %s%n", prompt, kvCacheType.word());
            }
            for (int batch : batches) {
                Run run = decode(m, batch);
                double tps = run.tokensPerSecond();
                String prefill = String.format("; the prompts' prefill %.2f s", run.prefillSeconds());
                if (batch == 1) {
                    single = tps;
                    System.out.printf("batch %2d: %.2f tokens/s (%.0f%% of the bandwidth limit)%s%n", batch, tps,
                            100 * tps / (gbs / weightsGb), prefill);
                } else {
                    System.out.printf("batch %2d: %.2f tokens/s aggregate%s%s%n", batch, tps,
                            single > 0 ? String.format(" (%.2fx single-stream)", tps / single) : "", prefill);
                }
            }
        }
        return 0;
    }

    /**
     * Milliseconds per greedy draw held to a JSON response format (any object, then a schema with string values), three
     * rounds of fresh requests each: what the JSON constraint adds to sampling over this vocabulary. Random logits keep
     * the draws mostly inside strings, where a document spends most of its tokens.
     */
    private void jsonMask(LoadedModel m) throws Exception {
        var factory = TokenSampler.perRequest(m.tokenizer());
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"name\":"
                + "{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"name\",\"tags\"],"
                + "\"additionalProperties\":false}");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        float[][] pool = new float[16][m.config().vocabSize()];
        for (float[] p : pool) {
            for (int v = 0; v < p.length; v++) {
                p[v] = (float) rnd.nextDouble(-4, 4);
            }
        }
        float[] logits = new float[pool[0].length];
        TokenSink ignore = new TokenSink() {
            @Override
            public void onToken(int token) {
            }

            @Override
            public void onFinish(Completion completion) {
            }
        };
        for (JsonFormat format : new JsonFormat[] {JsonFormat.ANY_OBJECT, new JsonFormat(JsonSchema.compile(schema))}) {
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < 3; round++) {
                LogitRules rules = new LogitRules(0f, 0f, 1f, java.util.Map.of(), 0, format);
                TokenSampler sampler = factory.apply(new GenerationRequest("bench", new int[] {1}, 200 + jsonMaskTokens,
                        new SamplingParams(0f, 0, 1f, round, rules), ignore));
                long spent = 0;
                for (int i = 0; i < 200 + jsonMaskTokens; i++) {
                    System.arraycopy(pool[(i + round) % pool.length], 0, logits, 0, logits.length);
                    long t = System.nanoTime();
                    sampler.sample(logits);
                    if (i >= 200) {
                        spent += System.nanoTime() - t;
                    }
                }
                rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format("%.2f", spent / 1e6 / jsonMaskTokens));
            }
            System.out.printf("JSON mask, %s: %s ms per token (3 rounds, %d draws after 200, %d-token vocabulary)%n",
                    format.schema() == null ? "any object" : "schema of strings", rounds, jsonMaskTokens, logits.length);
        }
    }

    /** One batch size's figures: the prompts' prefill (one forward pass, all sequences' prompts together) and decode. */
    private record Run(double prefillSeconds, double tokensPerSecond) {
    }

    /** Aggregate decode tokens/s of {@code batch} sequences stepping together, after a prefill and {@code warmup} steps. */
    private Run decode(LoadedModel m, int batch) {
        int blockSize = 16;
        int perSeq = (prompt + warmup + tokens + 2 + blockSize - 1) / blockSize;
        PagedKvCache cache = new PagedKvCache(m.config(), perSeq * batch, blockSize, kvCacheType);
        List<int[]> tables = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            int seq = s;
            tables.add(IntStream.range(0, perSeq).map(b -> seq * perSeq + b).toArray());
        }
        List<SequenceChunk> chunks = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            int seq = s;
            chunks.add(new SequenceChunk(IntStream.range(0, prompt).map(i -> (i * 31 + seq * 7) % m.config().vocabSize()).toArray(), 0,
                    tables.get(s), true));
        }
        long prefillStart = System.nanoTime();
        float[][] logits = m.forwardPass().forward(chunks, cache);
        double prefillSeconds = (System.nanoTime() - prefillStart) / 1e9;
        int pos = prompt;
        long start = 0;
        for (int step = 0; step < warmup + tokens; step++) {
            if (step == warmup) {
                start = System.nanoTime(); // the steps before warm up
            }
            chunks = new ArrayList<>();
            for (int s = 0; s < batch; s++) {
                chunks.add(new SequenceChunk(new int[] {Sampler.argmax(logits[s])}, pos, tables.get(s), true));
            }
            logits = m.forwardPass().forward(chunks, cache);
            pos++;
        }
        return new Run(prefillSeconds, (double) tokens * batch / ((System.nanoTime() - start) / 1e9));
    }

    /** Multiply-adds per second of {@code tokens} random token vectors through every layer's FFN gate and down matrices. */
    private static double matmul(LoadedModel m, int tokens) {
        LlamaWeights.Layer[] layerWeights = m.weights().layers();
        int layers = layerWeights.length;
        WeightMatrix[] gate = new WeightMatrix[layers];
        WeightMatrix[] down = new WeightMatrix[layers];
        for (int l = 0; l < layers; l++) {
            // a mixture's first expert, as wide as any of them
            LlamaWeights.ExpertWeights e = layerWeights[l].experts();
            gate[l] = e == null ? layerWeights[l].wGate() : e.gate()[0];
            down[l] = e == null ? layerWeights[l].wDown() : e.down()[0];
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        float[] x = new float[tokens * gate[0].cols()];
        float[] h = new float[tokens * gate[0].rows()];
        float[] y = new float[tokens * down[0].rows()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        MatmulKernel kernel = new MatmulKernel(m.pool());
        double macs = 0;
        for (int l = 0; l < layers; l++) {
            macs += (double) tokens * ((long) gate[l].rows() * gate[l].cols() + (long) down[l].rows() * down[l].cols());
        }
        double best = 0;
        for (int rep = 0; rep < 4; rep++) { // the first pass warms up
            long t0 = System.nanoTime();
            for (int l = 0; l < layers; l++) {
                kernel.multiply(gate[l], x, tokens, h);
                kernel.multiply(down[l], h, tokens, y);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (rep > 0) {
                best = Math.max(best, macs / secs / 1e9);
            }
        }
        return best;
    }

    /** STREAM triad a[i] = b[i] + s * c[i] over three arrays; counts 3 × 8 bytes per element. */
    static double triadBandwidth(int mib) {
        int n = mib * (1 << 20) / 8;
        double[] a = new double[n], b = new double[n], c = new double[n];
        java.util.Arrays.fill(b, 1.0);
        java.util.Arrays.fill(c, 2.0);
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            IntStream.range(0, 64).parallel().forEach(part -> {
                int from = (int) ((long) n * part / 64), to = (int) ((long) n * (part + 1) / 64);
                for (int i = from; i < to; i++) {
                    a[i] = b[i] + 3.0 * c[i];
                }
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 3.0 * 8 * n / secs / 1e9);
        }
        if (a[n / 2] != 7.0) {
            throw new IllegalStateException("triad miscomputed");
        }
        return best;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EngineBenchCommand()).execute(args));
    }

    /**
     * A converter from a parse function that throws {@link IllegalArgumentException}: picocli reports a bad value with the
     * option's name and the exception's message.
     */
    abstract static class ParsingConverter<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> parse;

        ParsingConverter(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --weight-layout auto|lanes|rows}. */
    static final class WeightLayoutConverter extends ParsingConverter<WeightLayout> {
        WeightLayoutConverter() {
            super(WeightLayout::parse);
        }
    }

    /** {@code --q4-activations int8|float}. */
    static final class Q4ActivationsConverter extends ParsingConverter<Q4Activations> {
        Q4ActivationsConverter() {
            super(Q4Activations::parse);
        }
    }

    /** {@code --kv-cache-type f16|f32|q8_0}. */
    static final class KvCacheTypeConverter extends ParsingConverter<KvCacheType> {
        KvCacheTypeConverter() {
            super(KvCacheType::parse);
        }
    }

    /** {@code --read-ahead auto|off|BYTES}. */
    static final class ReadAheadConverter extends ParsingConverter<ReadAheadSetting> {
        ReadAheadConverter() {
            super(ReadAheadSetting::parse);
        }
    }
}
