package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code L} IEEE half-precision values to floats with lane operations. The Vector API has no half-to-float conversion;
 * this one is exact ({@link Float#float16ToFloat}'s values, and a NaN for a NaN): the magnitude's exponent and mantissa
 * bits moved up to float32's places read as a float 2^112 times too small, whatever the exponent, subnormals included (a
 * power-of-two multiply is exact); infinities and NaNs then get float32's all-ones exponent, and the sign bit is moved up.
 */
final class HalfFloats {
    /** Bits of the half with exponent all ones (infinity), moved to float32's places: from here on, infinities and NaNs. */
    private static final int INF_OR_NAN = 0x7c00 << 13;

    private HalfFloats() {}

    /**
     * {@code L} little-endian halves from byte {@code offset} of {@code data}. Shifts are written as multiplies (the same
     * bits modulo 2^32): JDK 25's C2 fails on a lane shift whose result is later reinterpreted as floats (see
     * {@link Bf16Matrix}).
     */
    static FloatVector load(MemorySegment data, long offset) {
        IntVector half = (IntVector) ShortVector.fromMemorySegment(S, data, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = half.and(0x7fff).lanewise(VectorOperators.MUL, 1 << 13);
        IntVector bits = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        bits = bits.lanewise(VectorOperators.OR, 0x7f80_0000, magnitude.compare(VectorOperators.GE, INF_OR_NAN));
        return bits.or(half.and(0x8000).lanewise(VectorOperators.MUL, 1 << 16)).reinterpretAsFloats();
    }
}
