package dev.tangram.inference.kernels;

/**
 * The lane matrices that also multiply a few tokens, and octets of tokens, straight from their quants (Q8_0 and Q4_0):
 * one to four tokens in floats ({@link #dotGroup} … {@link #dotGroup4}), eight through a pair of groups
 * ({@link #dotPair8}); Q4_0 also in short lanes against 8-bit activations
 * ({@link Q4LaneMatrix#dotGroup(int, Int8Activations, int, float[], int)}), which one token always takes and a few take
 * where vectors are 512 bits. Those products are written out per token count, one named running sum per token, rather
 * than as one loop over an array of sums: the JIT keeps named vectors in registers, and boxes vectors kept in an array
 * (see {@link LaneTiles}). Other lane matrices take a few tokens through the register tiles, as many take them.
 */
public sealed interface FusedLaneMatrix extends LaneGroupMatrix permits Q8LaneMatrix, Q4LaneMatrix {
    /**
     * Four tokens through group {@code g} in floats: value {@code k} of token {@code t} at {@code x[xOff + 4 * k + t]}
     * (interleaved, {@link LaneTiles#interleave}); token {@code t}'s {@code GROUP} results written to
     * {@code out[o + t * stride ..]}.
     */
    void dotGroup4(int g, float[] x, int xOff, float[] out, int o, int stride);

    /** As {@link #dotGroup4}, for two tokens: value {@code k} of token {@code t} at {@code x[xOff + 2 * k + t]}. */
    void dotGroup2(int g, float[] x, int xOff, float[] out, int o, int stride);

    /** As {@link #dotGroup4}, for three tokens: value {@code k} of token {@code t} at {@code x[xOff + 3 * k + t]}. */
    void dotGroup3(int g, float[] x, int xOff, float[] out, int o, int stride);

    /**
     * Eight tokens through groups {@code g0} and {@code g1} in floats: value {@code k} of token {@code t} at
     * {@code x[xOff + 8 * k + t]}; the first {@code count} tokens' results for {@code g0} written to
     * {@code out[o0 + t * stride ..]}, for {@code g1} to {@code out[o1 + t * stride ..]} (the rest are a padded octet's
     * zeros; {@code g1 == g0} with {@code o1 == o0} takes one group alone, at twice the work). Each column's quants are decoded as {@link #decodeGroup} decodes them and multiplied in column order, so
     * the results are those of the register tiles over the decoded copy, bit for bit, without the copy: sixteen running
     * sums, two decoded vectors and a broadcast fill 19 of AVX-512's 32 registers.
     */
    void dotPair8(int g0, int g1, float[] x, int xOff, float[] out, int o0, int o1, int stride, int count);
}
