package dev.tangram.inference.testing;

import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import java.util.List;

/** The logits a loaded model gives the last token of a short prompt, prefilled in one chunk into a cache of its own. */
public final class PromptLogits {
    private static final int BLOCK = 16;

    private PromptLogits() {}

    /** {@code prompt}'s last token's logits; the prompt fits one block of {@value #BLOCK} positions. */
    public static float[] of(LoadedModel model, int[] prompt) {
        if (prompt.length > BLOCK) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens is longer than one block of " + BLOCK);
        }
        return model.forwardPass().forward(List.of(new SequenceChunk(prompt, 0, new int[] {0}, true)),
                new PagedKvCache(model.config(), 1, BLOCK))[0];
    }
}
