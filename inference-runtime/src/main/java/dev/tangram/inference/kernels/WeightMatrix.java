package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufTensor;
import java.lang.foreign.MemorySegment;

/**
 * A read-only matrix of {@code rows} rows of {@code cols} elements stored in some {@link GgmlType}, usually a slice of a
 * memory-mapped GGUF file, rows contiguous as GGML lays them out; or Q8_0/Q4_0/K-quant rows rearranged at load so that a vector's
 * lanes hold several rows ({@link LaneGroupMatrix}).
 */
public sealed interface WeightMatrix permits F32Matrix, F16Matrix, Bf16Matrix, Q8Matrix, Q4Matrix, LegacyQuantMatrix, KQuantMatrix, MxFp4Matrix,
        LaneGroupMatrix {
    GgmlType type();

    int rows();

    int cols();

    MemorySegment data();

    /** Dot product of row {@code row} with {@code x[xOff .. xOff + cols)}. */
    float dot(int row, float[] x, int xOff);

    /**
     * Dot products of rows {@code row} and {@code row + 1} with {@code x[xOff .. xOff + cols)}, written to
     * {@code out[o]} and {@code out[o + 1]}. Q4_0 reads the two rows side by side (two memory streams in flight, one
     * load of {@code x} for both); the other types compute one row after the other.
     */
    default void dot2(int row, float[] x, int xOff, float[] out, int o) {
        out[o] = dot(row, x, xOff);
        out[o + 1] = dot(row + 1, x, xOff);
    }

    /**
     * Writes columns {@code [fromCol, fromCol + count)} of row {@code row}, as floats, to {@code dst[dstOff .. dstOff + count)};
     * {@code fromCol} and {@code count} are whole blocks of the type ({@link GgmlType#blockElements()}).
     */
    void dequantize(int row, int fromCol, int count, float[] dst, int dstOff);

    /** Writes row {@code row}, as floats, to {@code dst[dstOff .. dstOff + cols)}. */
    default void dequantizeRow(int row, float[] dst, int dstOff) {
        dequantize(row, 0, cols(), dst, dstOff);
    }

    default long bytes() {
        return data().byteSize();
    }

    /**
     * A matrix over {@code data}; the matrix types this engine computes with are F32, F16, BF16, Q8_0, Q4_0, the
     * K-quants of the common Q4_K_M / Q5_K_M / Q6_K files (Q4_K, Q5_K, Q6_K), and Q4_1, Q5_0 and Q5_1 (which those files
     * fall back to for matrices whose rows are not a multiple of 256 wide), and MXFP4 (gpt-oss's experts).
     */
    static WeightMatrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        long need = type.bytesFor((long) rows * cols);
        if (cols % type.blockElements() != 0 || data.byteSize() != need) {
            throw new IllegalArgumentException(type + " matrix of " + rows + "x" + cols + " needs " + need + " bytes in whole rows, got "
                    + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new Bf16Matrix(data, rows, cols);
            case Q8_0 -> new Q8Matrix(data, rows, cols);
            case Q4_0 -> new Q4Matrix(data, rows, cols);
            case Q4_K -> new Q4KMatrix(data, rows, cols);
            case Q5_K -> new Q5KMatrix(data, rows, cols);
            case Q6_K -> new Q6KMatrix(data, rows, cols);
            case Q4_1, Q5_0, Q5_1 -> new LegacyQuantMatrix(type, data, rows, cols);
            case MXFP4 -> new MxFp4Matrix(data, rows, cols);
            default -> throw new IllegalArgumentException("tensor type " + type + " is not supported for computation "
                    + "(supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4)");
        };
    }

    /** The matrix view of a 2-D GGUF tensor ({@code dims = [cols, rows]}). */
    static WeightMatrix of(GgufTensor tensor) {
        if (tensor.dims().length > 2) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' has " + tensor.dims().length + " dimensions, a matrix has 2");
        }
        try {
            return of(tensor.type(), tensor.data(), tensor.rows(), tensor.rowLength());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "': " + e.getMessage(), e);
        }
    }
}
