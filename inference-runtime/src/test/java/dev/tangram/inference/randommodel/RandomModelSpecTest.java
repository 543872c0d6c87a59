package dev.tangram.inference.randommodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
import org.junit.jupiter.api.Test;

class RandomModelSpecTest {
    private static final RandomModelSpec TINY = RandomModelSpec.tiny(GgmlType.Q8_0);

    @Test
    void expertsAreWrittenForTheArchitecturesThatRunThemAndAsWideAsTheyReadThem() {
        RandomModelSpec qwen = TINY.as(Architecture.QWEN3MOE, 16, false, new Experts(8, 2, 64));
        assertThat(qwen.experts()).isEqualTo(new Experts(8, 2, 64));
        assertThat(qwen.as(Architecture.QWEN3MOE, 32, false).experts()).as("another head size keeps the experts").isEqualTo(qwen.experts());
        assertThat(TINY.as(Architecture.LLAMA, 16, false, new Experts(4, 1, TINY.ffn())).experts().count()).isEqualTo(4);

        assertThatThrownBy(() -> TINY.as(Architecture.QWEN3MOE, 16, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a qwen3moe model's FFNs are experts");
        assertThatThrownBy(() -> TINY.as(Architecture.QWEN3, 16, false, new Experts(8, 2, 64)))
                .hasMessageContaining("experts are written for llama, qwen3moe, granitemoe and gpt-oss models only, not qwen3");
        // llama.cpp reads Granite MoE's and Mixtral's experts as feed_forward_length wide
        assertThatThrownBy(() -> TINY.as(Architecture.GRANITEMOE, 16, false, new Experts(8, 2, 64)))
                .hasMessageContaining("a granitemoe model's experts are ffn (128) wide, not 64");
        assertThatThrownBy(() -> TINY.as(Architecture.LLAMA, 16, true, new Experts(8, 2, 128)))
                .hasMessageContaining("biases are written for dense FFNs only");
        assertThatThrownBy(() -> TINY.as(Architecture.QWEN3MOE, 16, false, new Experts(8, 2, 48)))
                .hasMessageContaining("the experts' ffn");
        assertThatThrownBy(() -> new Experts(8, 9, 64)).hasMessageContaining("8 experts, 9 used");
        assertThatThrownBy(() -> new Experts(1, 1, 64)).hasMessageContaining("at least 2 experts");
    }
}
