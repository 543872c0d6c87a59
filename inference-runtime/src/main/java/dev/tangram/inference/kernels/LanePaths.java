package dev.tangram.inference.kernels;

/**
 * Which products lane matrices ({@link LaneGroupMatrix}) take where more than one would give a right answer, chosen by
 * the width of the machine's float vectors ({@link #forThisMachine}); tests build either choice on any machine.
 *
 * @param q4StepsInShorts whether two to 31 tokens (a decode step's batch, {@link LaneTiles#decodeStep}) go through a
 *     Q4_0 lane matrix in short lanes against their 8-bit levels, four tokens at a time (as one token always does), or in
 *     floats against the same values rounded. Short lanes where float vectors are 512 bits: there a group's short lanes
 *     fill 256-bit vectors, which a Zen 4 core runs at twice the rate of its 512-bit ones, and batches of two, four and
 *     sixteen ran 1.5×, 1.3× and 1.1× as fast as in floats (engine-bench, 1b Q4_0; sixteen against octets); with AVX2 the
 *     shorts fill only 128 bits, a multiply and an add per sixteen products against a float multiply-add per eight, and
 *     batches of two and four ran at 0.85× and 0.6× (docs/inference-engine.md, Profile, sessions 13 and 14).
 * @param octets whether a decode step's batch of 5 to 31 tokens ({@link LaneTiles#octets}) goes through a lane matrix
 *     in floats (Q8_0; Q4_0 without short lanes) by pairs of groups, eight tokens at a time straight from the quants
 *     ({@link FusedLaneMatrix#dotPair8}), or through decoded copies in the register tiles as prefill does. Octets where
 *     float vectors are 512 bits: their sixteen running sums, two decoded columns and a broadcast fit AVX-512's 32
 *     registers, and the 16-token product ran 1.1–1.15× as fast (Q8_0 71–74 → 82–84 GMAC/s); AVX2 has 16 registers,
 *     the JIT spills, and it ran at 0.8–0.9× (Profile, session 14).
 */
record LanePaths(boolean q4StepsInShorts, boolean octets) {
    /** The choices for this machine's vector width. */
    static LanePaths forThisMachine() {
        return forLanes(VectorShapes.L);
    }

    /** The choices for float vectors of {@code lanes} lanes. */
    static LanePaths forLanes(int lanes) {
        boolean wide = lanes >= 16;
        return new LanePaths(wide, wide);
    }
}
