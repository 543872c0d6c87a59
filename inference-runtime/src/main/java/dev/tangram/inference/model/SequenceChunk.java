package dev.tangram.inference.model;

/**
 * A run of tokens of one sequence to push through the model in one batched step.
 *
 * @param tokens        the new tokens (a prefill chunk, or the one token of a decode step)
 * @param startPosition position of {@code tokens[0]} in the sequence; positions before it are already in the KV cache
 * @param blockTable    physical KV block of each logical block: {@code blockTable[i]} holds positions
 *                      {@code [i*blockSize, (i+1)*blockSize)}; it must cover {@code startPosition + tokens.length}
 * @param wantLogits    whether the caller needs the logits of the chunk's last token (false for a non-final prefill chunk)
 */
public record SequenceChunk(int[] tokens, int startPosition, int[] blockTable, boolean wantLogits) {
    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a chunk needs at least one token");
        }
        if (startPosition < 0) {
            throw new IllegalArgumentException("start position must not be negative");
        }
    }

    public int endPosition() {
        return startPosition + tokens.length;
    }
}
