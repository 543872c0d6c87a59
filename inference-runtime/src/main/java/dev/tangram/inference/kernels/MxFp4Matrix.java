package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_LANES;
import static dev.tangram.inference.kernels.VectorShapes.B_PARTS;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.L;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * MXFP4 weights (the OCP microscaling format gpt-oss ships its experts in): blocks of 32 elements, each one byte
 * {@code e}, a shared power-of-two scale (E8M0), then 16 bytes of 4-bit E2M1 numbers, byte {@code j} holding element
 * {@code j} low and {@code j + 16} high, as Q4_0 packs them. A nibble is a sign (bit 3), a 2-bit exponent and a 1-bit
 * mantissa: the values 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives. As llama.cpp stores it, a nibble is read doubled
 * (0, 1, 2, 3, 4, 6, 8, 12) and the scale halved, {@code 2^(e − 128)}; an element is their product. 17 bytes per block.
 *
 * <p>With 512-bit vectors a nibble's value is one lane permutation of a vector holding the sixteen values; with narrower
 * ones it is computed in int lanes: a doubled E2M1 value is, as a float, exponent {@code 127 + exp} and mantissa bit
 * {@code m} for {@code exp > 0}, and {@code m} itself (0 or 1) for {@code exp = 0}; the sign bit is the nibble's bit 3
 * moved to bit 31 (but for nibble 8, which is +0 as in llama.cpp's table). Matrices stay in the file's rows.
 */
public record MxFp4Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 17;
    private static final int ONE = Float.floatToRawIntBits(1f);

    @Override
    public GgmlType type() {
        return GgmlType.MXFP4;
    }

    /** {@code 2^(e − 128)}: the block's scale, halved to match the doubled nibbles (llama.cpp's {@code GGML_E8M0_TO_FP32_HALF}). */
    public static float halfScale(int e) {
        int bits = e < 2 ? 0x00200000 << e : (e - 1) << 23;
        return Float.intBitsToFloat(bits);
    }

    /** The doubled E2M1 values of the sixteen nibbles: llama.cpp's {@code kvalues_mxfp4} (nibble 8 is +0 there, not −0). */
    private static final float[] VALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    /** The doubled value of the E2M1 nibble {@code n} (0 … 15): 0, 1, 2, 3, 4, 6, 8, 12, then the same negated. */
    public static float nibbleValue(int n) {
        return VALUES[n];
    }

    /**
     * The sixteen values as one vector, where a vector holds sixteen floats (512-bit vectors): a nibble's value is then one
     * lane permutation, which took a 4-layer MXFP4 model of the 1b shape from 12.9 to 20.3 tokens/s single-stream (the
     * arithmetic decode is compute-bound there). Null for narrower vectors, which decode arithmetically.
     */
    private static final FloatVector TABLE = L == 16 ? FloatVector.fromArray(F, VALUES, 0) : null;

    /** {@link #nibbleValue} of every lane of {@code n} (nibbles in int lanes): by the table where there is one. */
    private static FloatVector values(IntVector nibbles) {
        return TABLE != null ? TABLE.rearrange(nibbles.toShuffle().cast(F)) : computed(nibbles);
    }

    /** {@link #nibbleValue} of every lane, computed from the bits (any vector width). */
    private static FloatVector computed(IntVector nibbles) {
        IntVector n = nibbles.blend(0, nibbles.eq(8)); // llama.cpp's table holds 0 there, not −0
        IntVector exp = n.lanewise(VectorOperators.LSHR, 1).and(3);
        IntVector m = n.and(1);
        IntVector normal = exp.add(127).lanewise(VectorOperators.LSHL, 23).or(m.lanewise(VectorOperators.LSHL, 22));
        VectorMask<Integer> small = exp.eq(0);
        IntVector magnitude = normal.blend(m.neg().and(ONE), small);
        return magnitude.or(n.and(8).lanewise(VectorOperators.LSHL, 28)).reinterpretAsFloats();
    }

    /**
     * For tests: the values of the nibbles {@code 0, 1, …} (lane i holds nibble i % 16) decoded by the table (where this
     * vector width has one; null otherwise) or computed.
     */
    static float[] decodedLanes(boolean byTable) {
        if (byTable && TABLE == null) {
            return null;
        }
        IntVector nibbles = IntVector.fromArray(I, java.util.stream.IntStream.range(0, L).map(i -> i % 16).toArray(), 0);
        return (byTable ? values(nibbles) : computed(nibbles)).toArray();
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = halfScale(Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, off)));
            int xi = xOff + b * BLOCK;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 1 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    int e = j + p * L;
                    sum = values(qi.and(0x0F)).fma(FloatVector.fromArray(F, x, xi + e), sum);
                    sum = values(qi.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xi + e + 16), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(F, d), acc);
        }
        return VectorShapes.sum(acc);
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) / BLOCK * BLOCK_BYTES;
        for (int b = 0; b < count / BLOCK; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, halfScale(Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, off))));
            int o = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 1 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    int e = j + p * L;
                    values(qi.and(0x0F)).mul(d).intoArray(dst, o + e);
                    values(qi.lanewise(VectorOperators.LSHR, 4)).mul(d).intoArray(dst, o + e + 16);
                }
            }
        }
    }
}
