package dev.tangram.inference.cli;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufSplit;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
import dev.tangram.inference.randommodel.QuantMix;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tangram gguf-random}: writes a Llama-shaped GGUF model with seeded random weights and a real BPE vocabulary. */
@Command(name = "gguf-random", mixinStandardHelpOptions = true,
        description = "Writes a Llama-family GGUF model with seeded random weights and a byte-level BPE vocabulary. "
                + "A --preset sets the shape; explicit options override it.")
public final class GgufRandomCommand implements Callable<Integer> {

    /** This command as picocli runs it: a refusal is reported through its streams. */
    @Spec CommandSpec command;
    @Option(names = "--preset", description = "tiny (tests) or 1b (Llama-3.2-1B's shape)")
    String preset;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--dim") Integer dim;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--kv-heads") Integer kvHeads;
    @Option(names = "--ffn") Integer ffn;
    @Option(names = "--vocab") Integer vocab;
    @Option(names = "--context", description = "<arch>.context_length") Integer context;
    @Option(names = "--quant", description = "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4, F16, BF16 or F32 (default Q8_0), or Q4_K_M "
            + "(Q5_K_M): Q4_K (Q5_K) with the output, and attn_v and ffn_down in llama.cpp's more-bits layers, in Q6_K. K-quant rows "
            + "that are not a multiple of 256 wide take llama.cpp's fallbacks: Q5_0, Q5_1, Q8_0") String quant = "Q8_0";
    @Option(names = "--arch", description = "general.architecture: llama (default), qwen2 (with Q/K/V biases, RoPE over halves), "
            + "qwen3 (per-head Q/K norms, RoPE over halves), granite (Granite 3's multipliers) or gemma3 (Gemma 3's block: GELU, "
            + "post-norms, sliding-window layers of context/256 positions, 5 in 6) or gemma2 (Gemma 2's block: every other layer "
            + "sliding, scores and logits soft-capped) or phi3 (fused QKV and gate/up matrices, RoPE over halves) or smollm3 (every "
            + "fourth layer without RoPE) or olmo2 (OLMo 2's block: norms after attention and the FFN instead of before, Q/K "
            + "norms over the whole projection, its own output; with --sliding-window OLMo 3's three sliding layers in four) or "
            + "mistral3 (Llama's tensors; Ministral 3's YaRN and query temperature are keys a copy can add) or glm4 (GLM-4's block: "
            + "norms before and after, Q/K/V biases, gate and up fused, RoPE over half of each head) or exaone4 (EXAONE 4's: "
            + "norms after only, per-head Q/K norms; with 64 layers and --sliding-window the 32B's window, its global layers "
            + "without RoPE), "
            + "or with --experts: "
            + "qwen3moe (Qwen3's attention), granitemoe (Granite's multipliers), llama (Mixtral) or gpt-oss (gpt-oss's block: "
            + "Q/K/V and output biases, a sink per head, every other layer sliding, experts with biases and the clamped SwiGLU; "
            + "untied)") String arch = "llama";
    @Option(names = "--experts", description = "make every FFN a mixture of this many experts (qwen3moe, granitemoe and gpt-oss need it)")
    Integer experts;
    @Option(names = "--experts-used", description = "experts each token goes through (default 2)") int expertsUsed = 2;
    @Option(names = "--expert-ffn", description = "an expert's hidden width for qwen3moe and gpt-oss (default --ffn); the others' are --ffn")
    Integer expertFfn;
    @Option(names = "--head-dim", description = "size of a head (default dim / heads); Qwen3's are 128 whatever the width")
    Integer headDim;
    @Option(names = "--biases", description = "llama: every optional bias of a block; qwen2: output.bias as well") boolean biases;
    @Option(names = "--untied", description = "write a separate output.weight instead of tying it to the embedding") boolean untied;
    @Option(names = "--sliding-window", description = "gemma2 and gemma3: the positions a local layer sees (default the context "
            + "/ 256, from 4 to 512; Gemma 2's own is 4096, Gemma 3's 512; gpt-oss's the same default, its own 128); olmo2: slide one over three layers in four, as OLMo 3 "
            + "(default none, as OLMo 2); exaone4: the 64-layer shape's window") Integer slidingWindow;
    @Option(names = "--seed", description = "seed of the weights (default 42)") long seed = 42;
    @Option(names = "--split-max-tensors", description = "split the model over files of at most this many tensors each, as llama.cpp's "
            + "gguf-split does: --out's name without .gguf, then -00001-of-0000N.gguf and on") Integer splitMaxTensors;
    @Option(names = "--out", required = true, description = "the GGUF file to write (with --split-max-tensors, the files' prefix)") Path out;

    @Override
    public Integer call() throws Exception {
        QuantMix mix;
        try {
            mix = QuantMix.parse(quant);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--quant: '" + quant
                    + "' is not one of Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4, F16, BF16, F32, Q4_K_M, Q5_K_M");
        }
        GgmlType type = mix.base();
        RandomModelSpec base = switch (preset == null ? "tiny" : preset) {
            case "tiny" -> RandomModelSpec.tiny(type);
            case "1b" -> RandomModelSpec.oneB(type);
            default -> throw new CommandLine.ParameterException(command.commandLine(), "--preset: '" + preset + "' is not tiny or 1b");
        };
        Architecture architecture = Architecture.of(arch).orElseThrow(() -> new CommandLine.ParameterException(command.commandLine(),
                "--arch: '" + arch + "' is not one of " + Architecture.names()));
        RandomModelSpec spec;
        try {
            int d = or(dim, base.dim());
            int h = or(heads, base.heads());
            // with --head-dim the width need not be a multiple of the heads (gpt-oss's 64 heads of 64 over 2,880)
            spec = new RandomModelSpec(or(layers, base.layers()), d, h, or(kvHeads, base.kvHeads()), or(ffn, base.ffn()), or(vocab, base.vocab()),
                    or(context, base.contextLength()), base.ropeTheta(), type, !untied, seed, Architecture.LLAMA,
                    headDim != null ? headDim : RandomModelSpec.headDim(d, h), false, Experts.NONE);
            Experts mixture = experts == null ? Experts.NONE : new Experts(experts, expertsUsed, or(expertFfn, spec.ffn()));
            if (architecture != Architecture.LLAMA || headDim != null || biases || mixture.present()) {
                spec = spec.as(architecture, or(headDim, spec.headDim()), biases, mixture);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
        try {
            RandomModelWriter.slidingWindow(spec, or(slidingWindow, 0));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--sliding-window: " + e.getMessage());
        }
        if (splitMaxTensors != null && splitMaxTensors < 1) {
            throw new CommandLine.ParameterException(command.commandLine(), "--split-max-tensors: " + splitMaxTensors
                    + " is not a positive number of tensors");
        }
        long start = System.nanoTime();
        List<Path> files;
        if (splitMaxTensors == null) {
            RandomModelWriter.write(spec, mix, or(slidingWindow, 0), out);
            files = List.of(out);
        } else {
            Path prefix = out.resolveSibling(GgufSplit.baseName(out));
            files = RandomModelWriter.writeSplit(spec, mix, or(slidingWindow, 0), prefix, splitMaxTensors);
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        String as = mix.base() == mix.promoted() ? "" : " as " + mix.name();
        String where = files.size() == 1 ? files.getFirst().toString() : files.size() + " files, " + files.getFirst() + " to " + files.getLast();
        System.out.printf("wrote %s: %s%s, %.1f MiB in %.1f s%n", where, spec, as, bytes / 1048576.0, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static int or(Integer v, int fallback) {
        return v != null ? v : fallback;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GgufRandomCommand()).execute(args));
    }
}
