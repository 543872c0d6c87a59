package dev.tangram.inference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.testing.PromptLogits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GgufRandomCommandTest {
    @TempDir
    Path dir;

    /** A Gemma file with a window of its own (Gemma 2's 4,096, whatever the context), and the default where none is asked. */
    @Test
    void aGemmaModelTakesTheSlidingWindowAskedFor() throws Exception {
        Path asked = dir.resolve("gemma2-w4096.gguf");
        assertThat(run("--arch", "gemma2", "--context", "8192", "--sliding-window", "4096", "--out", asked.toString())).isZero();
        Path plain = dir.resolve("gemma2.gguf");
        assertThat(run("--arch", "gemma2", "--context", "8192", "--out", plain.toString())).isZero();
        try (LoadedModel m = ModelLoader.load(asked, 1); LoadedModel d = ModelLoader.load(plain, 1)) {
            assertThat(m.config().window().size()).isEqualTo(4096);
            assertThat(m.config().window().isLocal(0)).isTrue();
            assertThat(d.config().window().size()).isEqualTo(32); // 8,192 / 256
        }
    }

    /**
     * An OLMo 2 file (the tiny preset, tied, written untied: OLMo's output is its own) without a window, and OLMo 3's three
     * sliding layers in four where one is asked for.
     */
    @Test
    void anOlmoModelIsUntiedAndSlidesOnlyWhereAsked() throws Exception {
        Path olmo2 = dir.resolve("olmo2.gguf");
        assertThat(run("--arch", "olmo2", "--out", olmo2.toString())).isZero();
        Path olmo3 = dir.resolve("olmo3.gguf");
        assertThat(run("--arch", "olmo2", "--layers", "4", "--sliding-window", "16", "--out", olmo3.toString())).isZero();
        try (LoadedModel two = ModelLoader.load(olmo2, 1); LoadedModel three = ModelLoader.load(olmo3, 1)) {
            assertThat(two.file().findTensor("output.weight")).isPresent();
            assertThat(two.file().findTensor("blk.0.attn_norm.weight")).isEmpty();
            assertThat(two.config().window().size()).isZero();
            assertThat(three.config().window().size()).isEqualTo(16);
            assertThat(three.config().window().isLocal(2)).isTrue();
            assertThat(three.config().window().isLocal(3)).isFalse();
        }
    }

    /**
     * A gpt-oss file in gpt-oss's proportions: heads whose size the width is not a multiple of (8 heads of 16 over 96, as
     * its 64 of 64 over 2,880), experts with biases, MXFP4, untied, every other layer sliding.
     */
    @Test
    void aGptOssModelMayHaveHeadsWhoseSizeTheWidthIsNoMultipleOf() throws Exception {
        Path oss = dir.resolve("gpt-oss.gguf");
        assertThat(run("--arch", "gpt-oss", "--dim", "96", "--heads", "8", "--kv-heads", "2", "--head-dim", "16", "--experts", "4",
                "--expert-ffn", "64", "--quant", "MXFP4", "--layers", "2", "--out", oss.toString())).isZero();
        try (LoadedModel m = ModelLoader.load(oss, 1)) {
            assertThat(m.config().qDim()).isEqualTo(128);
            assertThat(m.config().experts().ffn()).isEqualTo(64);
            assertThat(m.config().window().isLocal(0)).isTrue();
            assertThat(m.config().window().isLocal(1)).isFalse();
            assertThat(m.file().findTensor("output.weight")).isPresent();
            assertThat(m.file().tensor("blk.0.ffn_up_exps.weight").type()).isEqualTo(dev.tangram.inference.gguf.GgmlType.MXFP4);
            assertThat(m.file().findTensor("blk.1.attn_sinks.weight")).isPresent();
        }
    }

    @Test
    void aWindowForAModelWithoutLocalLayersOrNotPositiveIsRefusedNamingTheOption() {
        StringWriter err = new StringWriter();
        Path out = dir.resolve("llama.gguf");
        CommandLine cli = new CommandLine(new GgufRandomCommand()).setErr(new PrintWriter(err));
        assertThat(cli.execute("--sliding-window", "64", "--out", out.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--sliding-window: only gemma2, gemma3, olmo2, exaone4 and gpt-oss models slide a window, not llama");
        assertThat(cli.execute("--arch", "gemma3", "--sliding-window", "-1", "--out", out.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--sliding-window: a sliding window must be positive, got -1");
        assertThat(Files.exists(out)).isFalse();
    }

    /** A model split over files of at most seven tensors loads from its first file and computes what the whole file does. */
    @Test
    void aSplitModelLoadsFromItsFirstFileAsTheWholeFile() throws Exception {
        Path whole = dir.resolve("whole.gguf");
        assertThat(run("--out", whole.toString())).isZero();
        assertThat(run("--split-max-tensors", "7", "--out", dir.resolve("split.gguf").toString())).isZero();
        Path first = dir.resolve("split-00001-of-00003.gguf");
        assertThat(dir.resolve("split-00003-of-00003.gguf")).exists();
        try (LoadedModel w = ModelLoader.load(whole, 1); LoadedModel s = ModelLoader.load(first, 1)) {
            assertThat(s.file().paths()).hasSize(3);
            assertThat(s.name()).isEqualTo(w.name());
            int[] prompt = {1, 17, 300, 42, 7};
            assertThat(PromptLogits.of(s, prompt)).containsExactly(PromptLogits.of(w, prompt));
        }
    }

    @Test
    void aSplitOfNoTensorsIsRefusedNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GgufRandomCommand()).setErr(new PrintWriter(err));
        assertThat(cli.execute("--split-max-tensors", "0", "--out", dir.resolve("m.gguf").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--split-max-tensors: 0 is not a positive number of tensors");
    }

    private static int run(String... args) {
        return new CommandLine(new GgufRandomCommand()).execute(args);
    }
}
