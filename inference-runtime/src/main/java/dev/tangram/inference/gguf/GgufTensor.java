package dev.tangram.inference.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file. {@code dims[0]} is the innermost (fastest varying) dimension, as GGML orders them: a
 * matrix of {@code dims[1]} rows of {@code dims[0]} elements.
 *
 * @param name   tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type   element type
 * @param dims   shape, innermost first
 * @param offset byte offset of the data from the start of the data section of its file (a split's own file)
 * @param data   the bytes, a slice of the mapped file (never copied)
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long offset, MemorySegment data) {
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public long bytes() {
        return type.bytesFor(elements());
    }

    /** Elements of one row (the innermost dimension). */
    public int rowLength() {
        return Math.toIntExact(dims[0]);
    }

    /** Number of rows: the product of all but the innermost dimension. */
    public int rows() {
        return Math.toIntExact(elements() / dims[0]);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
