package dev.tangram.inference.model;

/**
 * A run of tokens of one sequence to push through the model in one batched step.
 *
 * @param tokens        the new tokens (a prefill chunk, or the one token of a decode step)
 * @param startPosition position of {@code tokens[0]} in the sequence; positions before it are already in the KV cache
 * @param blockTable    physical KV block of each logical block: {@code blockTable[i]} holds positions
 *                      {@code [i*blockSize, (i+1)*blockSize)}; it must cover {@code startPosition + tokens.length}
 * @param wantLogits    whether the caller needs the logits of the chunk's last token (false for a non-final prefill chunk)
 * @param scoring       where to put the log-probability of the token after each of the chunk's, or null for none
 * @param windowTable   the same for the sliding-window layers, where they keep their positions in a pool of their own
 *                      ({@link PagedKvCache#windowBlocks()}); only the blocks a window can still reach need be there (the
 *                      others may be -1); null where the cache has no such pool
 */
public record SequenceChunk(int[] tokens, int startPosition, int[] blockTable, boolean wantLogits, TokenScoring scoring,
                            int[] windowTable) {
    /** A chunk whose tokens are not scored. */
    public SequenceChunk(int[] tokens, int startPosition, int[] blockTable, boolean wantLogits) {
        this(tokens, startPosition, blockTable, wantLogits, null);
    }

    /** A chunk over a cache of one pool. */
    public SequenceChunk(int[] tokens, int startPosition, int[] blockTable, boolean wantLogits, TokenScoring scoring) {
        this(tokens, startPosition, blockTable, wantLogits, scoring, null);
    }

    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a chunk needs at least one token");
        }
        if (startPosition < 0) {
            throw new IllegalArgumentException("start position must not be negative");
        }
        if (scoring != null && scoring.out().length != tokens.length) {
            throw new IllegalArgumentException("a scored chunk of " + tokens.length + " tokens needs as many scores, got " + scoring.out().length);
        }
    }

    public int endPosition() {
        return startPosition + tokens.length;
    }

    /** The block table layer {@code layer} of {@code cache} reads and writes. */
    public int[] table(PagedKvCache cache, int layer) {
        return cache.windowed(layer) ? windowTable : blockTable;
    }
}
