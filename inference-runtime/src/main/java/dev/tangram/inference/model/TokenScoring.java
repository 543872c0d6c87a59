package dev.tangram.inference.model;

import dev.tangram.inference.sampling.TokenLogprobs;

/**
 * Asks a forward pass to score a chunk's tokens: for each position of the chunk, the log-probability the model gives
 * the token that follows it (a prompt's log-probabilities, as the completions API's {@code echo} reports them).
 *
 * @param alternatives how many of the likeliest tokens to report beside each (0–20)
 * @param nextToken    the token after the chunk's last, or -1 where it is not known yet (the one to be generated)
 * @param out          filled by the forward pass: {@code out[j]} scores the token after the chunk's {@code j}-th (null
 *                     for the last where {@code nextToken} is -1); as long as the chunk
 */
public record TokenScoring(int alternatives, int nextToken, TokenLogprobs[] out) {
    public TokenScoring {
        if (alternatives < 0 || alternatives > TokenLogprobs.MAX_TOP) {
            throw new IllegalArgumentException("alternatives must be 0.." + TokenLogprobs.MAX_TOP + ", got " + alternatives);
        }
    }

    /** The token that position {@code j} of {@code chunk} predicts, or -1. */
    int target(int[] chunk, int j) {
        return j + 1 < chunk.length ? chunk[j + 1] : nextToken;
    }
}
