package dev.tangram.inference.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one element of the KV cache is stored as. {@link #F16}, IEEE half precision (llama.cpp's default cache type, and
 * the 16 bits vLLM keeps for a 16-bit model), takes half the memory of {@link #F32}, so a memory budget holds twice the
 * tokens; keys and values are rounded to the nearest half once, when they are stored, and attention reads them back as
 * floats. {@link #F32} keeps them exactly as the forward pass computed them.
 */
public enum KvCacheType {
    F16("f16", 2),
    F32("f32", 4);

    private final String word;
    private final int bytes;

    KvCacheType(String word, int bytes) {
        this.word = word;
        this.bytes = bytes;
    }

    /** The word a config file and the command line use: {@code f16} or {@code f32}. */
    public String word() {
        return word;
    }

    /** Bytes one cached element takes. */
    public int bytes() {
        return bytes;
    }

    /** The type a word names, or an {@link IllegalArgumentException} saying which words there are. */
    public static KvCacheType parse(String word) {
        return Arrays.stream(values()).filter(t -> t.word.equals(word.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected " + words() + ", got '" + word + "'"));
    }

    /** The words, for messages: "f16 or f32". */
    public static String words() {
        return Arrays.stream(values()).map(KvCacheType::word).collect(Collectors.joining(" or "));
    }
}
