package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufSplit;
import dev.tangram.inference.kernels.LaneGroupMatrix;
import dev.tangram.inference.kernels.LaneLayout;
import dev.tangram.inference.kernels.MatmulKernel;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadCalibration;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.kernels.WeightMatrix;
import dev.tangram.inference.kernels.WorkerPool;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/** Loads a Llama-family GGUF model: maps the file, reads its shape and vocabulary, binds its tensors. */
public final class ModelLoader {
    private ModelLoader() {}

    /** Loads with a kernel pool of one participant per available processor; the settings as below. */
    public static LoadedModel load(Path path, ReadAheadSetting readAhead, WeightLayout layout, Q4Activations q4Activations)
            throws IOException {
        return load(path, Runtime.getRuntime().availableProcessors(), readAhead, layout, q4Activations);
    }

    /** Loads with a kernel pool of {@code threads} participants, the read-ahead distance timed on this machine. */
    public static LoadedModel load(Path path, int threads) throws IOException {
        return load(path, threads, ReadAheadSetting.AUTO, WeightLayout.AUTO);
    }

    /**
     * Loads with a kernel pool of {@code threads} participants; {@code readAhead} sets the one-token kernels' read-ahead
     * distance or has it timed ({@link ReadAheadCalibration}); {@code layout} says whether Q8_0, Q4_0 and K-quant matrices are
     * rearranged into lanes ({@link LaneLayout}) or computed from the file as they are, or lets {@link LayoutChoice}
     * decide from this machine's memory and heap. Q4_0 and K-quant matrices in lanes multiply activations rounded to 8 bits.
     */
    public static LoadedModel load(Path path, int threads, ReadAheadSetting readAhead, WeightLayout layout) throws IOException {
        return load(path, threads, readAhead, layout, Q4Activations.INT8);
    }

    /** As above, with what Q4_0 and K-quant matrices in lanes multiply ({@link Q4Activations}). */
    public static LoadedModel load(Path path, int threads, ReadAheadSetting readAhead, WeightLayout layout, Q4Activations q4Activations)
            throws IOException {
        return load(path, threads, readAhead, layout, q4Activations, 0);
    }

    /**
     * As above, the model served with at most {@code contextLimit} positions (0: its own context), which is its config's
     * context length then: Phi-3's LongRoPE chooses its factors by it, as llama.cpp's by its context size.
     */
    public static LoadedModel load(Path path, int threads, ReadAheadSetting readAhead, WeightLayout layout, Q4Activations q4Activations,
                                   int contextLimit) throws IOException {
        return load(path, threads, readAhead, layout, q4Activations, contextLimit,
                weightBytes -> HeapUse.maximum(Runtime.getRuntime().maxMemory()));
    }

    /**
     * As above, {@code heap} giving the most the heap will fill for weights of so many bytes (the file's), which
     * {@link LayoutChoice} sets beside the lane copy.
     */
    public static LoadedModel load(Path path, int threads, ReadAheadSetting readAhead, WeightLayout layout, Q4Activations q4Activations,
                                   int contextLimit, LongFunction<HeapUse> heap) throws IOException {
        GgufFile file = GgufFile.open(path);
        WorkerPool pool = null;
        Arena rearranged = Arena.ofShared();
        try {
            LlamaConfig config = config(file).servedWith(contextLimit);
            Tokenizer tokenizer = GgufTokenizerReader.read(file.metadata());
            if (tokenizer.vocabSize() != config.vocabSize()) {
                throw new GgufFormatException(path + ": the vocabulary has " + tokenizer.vocabSize() + " tokens but token_embd.weight has "
                        + config.vocabSize() + " rows");
            }
            LlamaWeights fileWeights = LlamaWeights.of(file, config);
            pool = new WorkerPool(threads);
            WorkerPool rearranging = pool;
            LayoutChoice chosen = LayoutChoice.choose(layout, laneBytes(fileWeights), memoryBytes(), heap.apply(fileWeights.bytes()));
            long start = System.nanoTime();
            LlamaWeights weights = chosen.layout() == WeightLayout.LANES
                    ? fileWeights.mapMatrices(m -> LaneLayout.rearrange(m, rearranged, rearranging)) : fileWeights;
            long widened = chosen.layout() == WeightLayout.LANES ? distinctMatrices(fileWeights).stream()
                    .filter(LaneLayout::widens).count() : 0;
            String layoutLine = describe(chosen.layout(), weights, (System.nanoTime() - start) / 1e9, q4Activations, widened) + "; "
                    + chosen.reason();
            MatmulKernel kernel = new MatmulKernel(pool, q4Activations);
            LlamaForwardPass forward = new LlamaForwardPass(config, weights, kernel);
            ReadAheadCalibration.Choice choice = ReadAheadCalibration.apply(readAhead, kernel, weights.matrices());
            String name = file.metadata().findString("general.name").orElse(GgufSplit.baseName(path));
            return new LoadedModel(name, config, tokenizer, forward, weights, file.metadata().findString("tokenizer.chat_template"),
                    choice, layoutLine, file, pool, rearranged);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            rearranged.close();
            file.close();
            throw e;
        }
    }

    /**
     * Such as "lanes: 113 of 113 matrices rearranged (1258.6 MiB in 0.9 s)", with ", Q4_0 activations int8" where some
     * are Q4_0 ("Q4_K/Q6_K activations" for those types) and ", 96 Q5_0 widened to Q8_0" where {@code widened} were, or
     * "rows: computed from the mapped file".
     */
    static String describe(WeightLayout layout, LlamaWeights weights, double seconds, Q4Activations q4Activations, long widened) {
        if (layout == WeightLayout.ROWS) {
            return "rows: computed from the mapped file";
        }
        Set<WeightMatrix> distinct = distinctMatrices(weights);
        long lanes = distinct.stream().filter(m -> m instanceof LaneGroupMatrix).count();
        long bytes = distinct.stream().filter(m -> m instanceof LaneGroupMatrix).mapToLong(WeightMatrix::bytes).sum();
        // the lane types whose input engine.q4Activations sets
        String rounded = distinct.stream().filter(Q4Activations::appliesTo).map(m -> m.type().toString()).distinct().sorted()
                .collect(Collectors.joining("/"));
        String rounding = rounded.isEmpty() ? "" : ", " + rounded + " activations " + q4Activations;
        String widening = widened == 0 ? "" : ", " + widened + " Q5_0 widened to Q8_0";
        return String.format(Locale.ROOT, "lanes: %d of %d matrices rearranged (%.1f MiB in %.1f s)%s%s", lanes, distinct.size(),
                bytes / 1048576.0, seconds, widening, rounding);
    }

    /** Every matrix once (a tied output is the token embedding). */
    private static Set<WeightMatrix> distinctMatrices(LlamaWeights weights) {
        Set<WeightMatrix> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.add(weights.tokenEmbedding());
        distinct.addAll(weights.matrices());
        return distinct;
    }

    /** Bytes the lane layout would copy: the matrices {@link LaneLayout#applies} to. */
    static long laneBytes(LlamaWeights weights) {
        return distinctMatrices(weights).stream().filter(LaneLayout::applies).mapToLong(LaneLayout::bytes).sum();
    }

    /** This machine's memory, or the container's limit where there is one (the JVM reads the cgroup). */
    private static long memoryBytes() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }

    /** The model's shape from {@code <arch>.*} metadata; the vocabulary size from the token embedding's rows. */
    public static LlamaConfig config(GgufFile file) {
        return ModelConfigReader.read(file);
    }
}
