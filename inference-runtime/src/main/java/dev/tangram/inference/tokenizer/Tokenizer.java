package dev.tangram.inference.tokenizer;

import java.util.stream.IntStream;

/** Text to token ids and back, as the model's GGUF vocabulary defines it. */
public interface Tokenizer {
    /** Token ids of {@code text}, with the BOS token first when {@code addBos} and the model's tokenizer puts one first. */
    int[] encode(String text, boolean addBos);

    /** The text of a run of tokens (special tokens rendered as their text, BOS/EOS omitted). */
    String decode(int[] tokens);

    /**
     * Bytes of one token's text. Streaming decoders need bytes: a byte-level token can end inside a UTF-8 character.
     */
    byte[] tokenBytes(int token);

    int vocabSize();

    /** BOS id, or -1. */
    int bos();

    /** EOS id, or -1. */
    int eos();

    /** Whether generation ends at this token (EOS, end-of-turn, ...). */
    boolean isEndOfGeneration(int token);

    /** Whether the token stands for text, rather than being a control token (BOS, end-of-turn, ...). */
    default boolean isText(int token) {
        return true;
    }

    /** Every token at which generation ends, in id order. */
    default int[] endOfGenerationTokens() {
        return IntStream.range(0, vocabSize()).filter(this::isEndOfGeneration).toArray();
    }
}
