package dev.tangram.inference.scheduler;

/** Picks the next token of one sequence from its logits; one instance per sequence, so it may keep a random state. */
@FunctionalInterface
public interface TokenSampler {
    int sample(float[] logits);
}
