package dev.tangram.inference.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The vector species the kernels use, derived from the platform's preferred float vector. */
final class VectorShapes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Bytes loaded at once for int8 weights: L lanes, but never less than 64 bits. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** Bytes in one {@link #B} vector, as a constant for the bounds of the loops over a block's byte vectors. */
    static final int B_LANES = B.length();
    /** How many float vectors one {@link #B} vector expands to. */
    static final int B_PARTS = B.length() / L;
    /** L shorts (for BF16), never less than 64 bits. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    static {
        if (L > 16 || 32 % L != 0) {
            throw new ExceptionInInitializerError("unsupported float vector length " + L);
        }
    }

    // butterfly partners for the lane sum: lane i pairs with lane i ^ s
    private static final VectorShuffle<Float> X8 = L > 8 ? VectorShuffle.fromOp(F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> X4 = L > 4 ? VectorShuffle.fromOp(F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> X2 = L > 2 ? VectorShuffle.fromOp(F, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> X1 = L > 1 ? VectorShuffle.fromOp(F, i -> i ^ 1) : null;

    /**
     * The sum of {@code v}'s lanes, added in one fixed order (a butterfly of lane-wise adds). Not
     * {@code reduceLanes(ADD)}: its order is unspecified, and C2's vector reduction and the interpreter's lane-by-lane
     * loop round differently, so the same input gave different logits before and after the kernels were compiled.
     * Both methods stay under the JIT's always-inline size (35 bytecodes): a vector passed to a call that is not
     * inlined is boxed, which costs more than the whole dot product.
     */
    static float sum(FloatVector v) {
        return fold(fold(fold(fold(v, X8), X4), X2), X1).lane(0);
    }

    /** {@code v + v.rearrange(partners)}, or {@code v} where the vector has no lanes that far apart. */
    private static FloatVector fold(FloatVector v, VectorShuffle<Float> partners) {
        return partners == null ? v : v.add(v.rearrange(partners));
    }

    /** The vector shape the kernels run with, for logs and benchmark reports: figures from 8 and 16 lanes differ. */
    static String describe() {
        return F.vectorBitSize() + "-bit vectors (" + L + " float lanes)";
    }

    private VectorShapes() {}
}
