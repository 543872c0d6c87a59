package dev.tangram.inference.randommodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantMixTest {
    @TempDir
    Path dir;

    @Test
    void moreBitsLayersAreTheFirstAndLastEighthsAndEveryThirdBetween() {
        // 16 layers (the 1b preset): 0 and 1, 14 and 15, and 4, 7, 10, 13 between
        assertThat(IntStream.range(0, 16).filter(l -> QuantMix.moreBits(l, 16)).boxed()).containsExactly(0, 1, 4, 7, 10, 13, 14, 15);
        assertThat(IntStream.range(0, 2).filter(l -> QuantMix.moreBits(l, 2)).boxed()).containsExactly(1);
    }

    @Test
    void parsesAMixOrOneTypeInAnyCase() {
        assertThat(QuantMix.parse("q4_k_m")).isEqualTo(QuantMix.Q4_K_M);
        assertThat(QuantMix.parse("Q5_K_M")).isEqualTo(new QuantMix("Q5_K_M", GgmlType.Q5_K, GgmlType.Q6_K, 17));
        assertThat(QuantMix.parse("q5_0")).isEqualTo(new QuantMix("Q5_0", GgmlType.Q5_0, GgmlType.Q5_0, 8));
        assertThat(QuantMix.parse("Q8_0")).isEqualTo(new QuantMix("Q8_0", GgmlType.Q8_0, GgmlType.Q8_0, 7));
        assertThatThrownBy(() -> QuantMix.parse("Q3_K_M")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void q4kmModelKeepsItsOutputAndTheMoreBitsLayersValueAndDownInQ6K() throws IOException {
        for (boolean tied : new boolean[] {true, false}) {
            Path file = dir.resolve("mix-" + tied + ".gguf");
            RandomModelWriter.write(new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, GgmlType.Q4_K, tied, 5), QuantMix.Q4_K_M, file);
            try (GgufFile gguf = GgufFile.open(file)) {
                assertThat(gguf.metadata().getString("general.name")).isEqualTo("tangram-random-2x256-Q4_K_M");
                assertThat(gguf.metadata().getLong("general.file_type")).isEqualTo(15);
                assertThat(type(gguf, "token_embd.weight")).isEqualTo(tied ? GgmlType.Q6_K : GgmlType.Q4_K);
                assertThat(gguf.findTensor("output.weight").map(t -> t.type())).isEqualTo(tied ? java.util.Optional.empty()
                        : java.util.Optional.of(GgmlType.Q6_K));
                for (String name : new String[] {"attn_v", "ffn_down"}) {
                    assertThat(type(gguf, "blk.0." + name + ".weight")).isEqualTo(GgmlType.Q4_K);
                    assertThat(type(gguf, "blk.1." + name + ".weight")).isEqualTo(GgmlType.Q6_K);
                }
                for (String name : new String[] {"attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"}) {
                    assertThat(type(gguf, "blk.1." + name + ".weight")).isEqualTo(GgmlType.Q4_K);
                }
            }
        }
    }

    /** llama.cpp's fallbacks for rows that are not whole super-blocks of 256; other types and whole rows stay as asked. */
    @Test
    void kQuantRowsThatAreNotWholeSuperBlocksFallBackAsLlamaCppDoes() {
        assertThat(QuantMix.fit(GgmlType.Q4_K, 896)).isEqualTo(GgmlType.Q5_0);
        assertThat(QuantMix.fit(GgmlType.Q5_K, 896)).isEqualTo(GgmlType.Q5_1);
        assertThat(QuantMix.fit(GgmlType.Q6_K, 896)).isEqualTo(GgmlType.Q8_0);
        assertThat(QuantMix.fit(GgmlType.Q4_K, 4864)).isEqualTo(GgmlType.Q4_K);
        assertThat(QuantMix.fit(GgmlType.Q8_0, 896)).isEqualTo(GgmlType.Q8_0);
        assertThatThrownBy(() -> QuantMix.fit(GgmlType.Q8_0, 100)).hasMessageContaining("Q8_0 rows of 100");
    }

    /**
     * A Q4_K_M model shaped as Qwen2.5-0.5B is in width (rows of 896 everywhere but {@code ffn_down}'s 4,864, here 128 wide
     * with an FFN of 256 so it stays small): its 128-wide matrices are Q5_0 (Q8_0 where Q6_K is due), {@code ffn_down} keeps
     * Q4_K / Q6_K, as in llama.cpp's file.
     */
    @Test
    void aQ4KmModelWithRowsNarrowerThanASuperBlockTakesTheFallbacks() throws IOException {
        Path file = dir.resolve("narrow.gguf");
        RandomModelWriter.write(new RandomModelSpec(2, 128, 2, 1, 256, 512, 2048, 10000f, GgmlType.Q4_K, true, 5), QuantMix.Q4_K_M, file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(type(gguf, "token_embd.weight")).isEqualTo(GgmlType.Q8_0);
            assertThat(type(gguf, "blk.0.attn_q.weight")).isEqualTo(GgmlType.Q5_0);
            assertThat(type(gguf, "blk.1.attn_v.weight")).isEqualTo(GgmlType.Q8_0);
            assertThat(type(gguf, "blk.0.ffn_down.weight")).isEqualTo(GgmlType.Q4_K);
            assertThat(type(gguf, "blk.1.ffn_down.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(gguf.metadata().getLong("general.file_type")).isEqualTo(15);
        }
    }

    private static GgmlType type(GgufFile gguf, String name) {
        return gguf.findTensor(name).orElseThrow().type();
    }
}
