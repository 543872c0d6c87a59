package dev.tangram.inference.model;

/**
 * What the layers that attend over a sliding window ({@link SlidingWindow}: Gemma 2's and 3's local layers) keep in the
 * KV cache. {@link #WINDOW}: only the positions their windows can still reach, in a pool of their own, so that a memory
 * budget holds as many more tokens as those layers are of all the layers; {@link #FULL}: every position, beside the
 * other layers (llama.cpp's {@code --swa-full}).
 */
public enum WindowCache implements Worded {
    WINDOW,
    FULL;

    /** The setting a word names, or an {@link IllegalArgumentException} saying which words there are. */
    public static WindowCache parse(String word) {
        return Worded.parse(WindowCache.class, word);
    }

    /** The words, for messages: "window or full". */
    public static String words() {
        return Worded.words(WindowCache.class);
    }
}
