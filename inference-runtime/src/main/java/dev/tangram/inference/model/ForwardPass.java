package dev.tangram.inference.model;

import java.util.List;

/**
 * One batched step of the model over several sequences: the engine's side of the contract with the scheduler.
 * Implementations read each weight matrix once per step for all chunks together.
 */
public interface ForwardPass {
    LlamaConfig config();

    /**
     * Writes each chunk's keys and values into the cache blocks its block table names (positions
     * {@code startPosition ..}), attends causally over positions {@code [0, endPosition)}, and answers, per chunk in order,
     * the logits ({@code vocabSize} floats) of its last token, or {@code null} where {@code wantLogits} is false. A chunk
     * with a {@link TokenScoring} also has the log-probability of the token after each of its tokens put into it.
     */
    float[][] forward(List<SequenceChunk> chunks, PagedKvCache cache);

    /** Bytes the weights take (mapped or on the heap), for memory budgeting. */
    long weightBytes();

    /** Bytes of scratch one step needs for {@code tokens} tokens in flight, for memory budgeting. */
    long activationBytes(int tokens);
}
