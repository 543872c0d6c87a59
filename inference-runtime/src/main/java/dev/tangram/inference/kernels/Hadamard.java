package dev.tangram.inference.kernels;

/**
 * The orthonormal Walsh–Hadamard rotation (Sylvester's order, entries ±1/√n), which llama.cpp applies to queries,
 * keys and values before it keeps them in a quantized cache: a rotation spreads an outlying element over all n, so a
 * block of 32 that shares one scale loses less of the others. It is its own inverse and keeps dot products, so
 * attention over rotated queries and keys gives the same scores, and its output rotated back is the same sum of values.
 * In place, by butterflies: n log n additions and n multiplications.
 */
public final class Hadamard {
    /** The smallest rotation, and the one for values (llama.cpp found small rotations better for values). */
    public static final int VALUE_ROTATION = 64;

    private Hadamard() {}

    /** Rotates {@code x[off .. off + n)}; {@code n} a power of two. */
    public static void rotate(float[] x, int off, int n) {
        for (int half = 1; half < n; half *= 2) {
            for (int i = off; i < off + n; i += 2 * half) {
                for (int j = i; j < i + half; j++) {
                    float a = x[j];
                    float b = x[j + half];
                    x[j] = a + b;
                    x[j + half] = a - b;
                }
            }
        }
        float norm = (float) (1 / Math.sqrt(n));
        for (int i = off; i < off + n; i++) {
            x[i] *= norm;
        }
    }

    /** Rotates each run of {@code n} in {@code x[off .. off + length)}; {@code length} a multiple of {@code n}. */
    public static void rotateEach(float[] x, int off, int length, int n) {
        for (int r = off; r < off + length; r += n) {
            rotate(x, r, n);
        }
    }

    /**
     * The rotation llama.cpp gives keys (and queries) of heads of {@code headDim}: the largest power of two that divides
     * it, from 64 up; 0 (none) where 64 does not divide it.
     */
    public static int keyRotation(int headDim) {
        if (headDim % VALUE_ROTATION != 0) {
            return 0;
        }
        int n = VALUE_ROTATION;
        while (headDim % (2 * n) == 0) {
            n *= 2;
        }
        return n;
    }

    /** The rotation of values of heads of {@code headDim}: 64, or 0 (none) where 64 does not divide it. */
    public static int valueRotation(int headDim) {
        return headDim % VALUE_ROTATION == 0 ? VALUE_ROTATION : 0;
    }
}
