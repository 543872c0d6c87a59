package dev.tangram.inference.model;

import dev.tangram.inference.kernels.Hadamard;
import dev.tangram.inference.kernels.Q8Kv;

/**
 * What one element of the KV cache is stored as. {@link #F16}, IEEE half precision (llama.cpp's default cache type, and
 * the 16 bits vLLM keeps for a 16-bit model), takes half the memory of {@link #F32}, so a memory budget holds twice the
 * tokens; keys and values are rounded to the nearest half once, when they are stored, and attention reads them back as
 * floats. {@link #F32} keeps them exactly as the forward pass computed them. {@link #Q8_0} (llama.cpp's
 * {@code --cache-type-k q8_0}) keeps bytes with a half scale per 32 elements: 34 bytes per 32, so a budget holds 1.9
 * times the tokens of halves, for models whose head size is a multiple of 32. Where the head size is a multiple of 64,
 * queries, keys and values are rotated before a Q8_0 cache keeps them, as llama.cpp does ({@link Hadamard}).
 */
public enum KvCacheType implements Worded {
    F16(64),
    F32(128),
    Q8_0(34);

    /** Bytes 32 cached elements take. */
    private final int bytesPer32;

    KvCacheType(int bytesPer32) {
        this.bytesPer32 = bytesPer32;
    }

    /** Bytes one cached element takes: 2, 4, or 1.0625 for Q8_0's 34 bytes per 32 elements. */
    public double bytesPerElement() {
        return bytesPer32 / 32.0;
    }

    /** Bytes {@code elements} cached elements take (a multiple of 32 for {@link #Q8_0}, as {@link #unfit} asks). */
    public long bytes(long elements) {
        return elements * bytesPer32 / 32;
    }

    /** The {@link Hadamard} rotation of keys and queries of heads of {@code headDim} before this cache keeps them (0: none). */
    public int keyRotation(int headDim) {
        return this == Q8_0 ? Hadamard.keyRotation(headDim) : 0;
    }

    /** The rotation of values before this cache keeps them, undone on attention's output (0: none). */
    public int valueRotation(int headDim) {
        return this == Q8_0 ? Hadamard.valueRotation(headDim) : 0;
    }

    /** Why a model whose heads have {@code headDim} elements cannot keep its cache in this type, or null where it can. */
    public String unfit(int headDim) {
        return this == Q8_0 ? Q8Kv.unfit(headDim) : null;
    }

    /** The type a word names, or an {@link IllegalArgumentException} saying which words there are. */
    public static KvCacheType parse(String word) {
        return Worded.parse(KvCacheType.class, word);
    }

    /** The words, for messages: "f16, f32 or q8_0". */
    public static String words() {
        return Worded.words(KvCacheType.class);
    }
}
