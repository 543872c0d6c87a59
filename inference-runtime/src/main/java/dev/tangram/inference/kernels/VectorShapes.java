package dev.tangram.inference.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The vector species the kernels use, derived from the platform's preferred float vector. */
final class VectorShapes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Bytes loaded at once for int8 weights: L lanes, but never less than 64 bits. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** How many float vectors one {@link #B} vector expands to. */
    static final int B_PARTS = B.length() / L;
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final int B16_PARTS = 16 / L;
    /** L shorts (for BF16), never less than 64 bits. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    static {
        if (L > 16 || 32 % L != 0) {
            throw new ExceptionInInitializerError("unsupported float vector length " + L);
        }
    }

    private VectorShapes() {}
}
