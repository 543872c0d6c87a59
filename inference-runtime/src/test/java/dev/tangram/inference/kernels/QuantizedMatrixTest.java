package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QuantizedMatrixTest {
    private static final short HALF = 0x3800; // 0.5 in IEEE half precision
    private static final short TWO = 0x4000;  // 2.0

    @Test
    void q8BlockDecodesAsScaleTimesSignedBytes() {
        ByteBuffer b = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(HALF);
        for (int i = 0; i < 32; i++) {
            b.put((byte) (i % 2 == 0 ? i : -i * 3));
        }
        WeightMatrix m = WeightMatrix.of(GgmlType.Q8_0, MemorySegment.ofArray(b.array()), 1, 32);
        float[] row = new float[32];
        m.dequantizeRow(0, row, 0);
        for (int i = 0; i < 32; i++) {
            assertThat(row[i]).as("element " + i).isEqualTo(0.5f * (i % 2 == 0 ? i : -i * 3));
        }
        float[] x = new float[32];
        x[3] = 1f;
        x[4] = 2f;
        assertThat(m.dot(0, x, 0)).isEqualTo(0.5f * -9 + 2 * 0.5f * 4);
    }

    @Test
    void q4BlockKeepsElementJInTheLowNibbleAndJPlus16InTheHighNibble() {
        ByteBuffer b = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(TWO);
        for (int j = 0; j < 16; j++) {
            b.put((byte) ((j & 0xF) | ((15 - j) << 4)));
        }
        WeightMatrix m = WeightMatrix.of(GgmlType.Q4_0, MemorySegment.ofArray(b.array()), 1, 32);
        float[] row = new float[32];
        m.dequantizeRow(0, row, 0);
        for (int j = 0; j < 16; j++) {
            assertThat(row[j]).as("element " + j).isEqualTo(2f * (j - 8));
            assertThat(row[j + 16]).as("element " + (j + 16)).isEqualTo(2f * (7 - j));
        }
        float[] x = new float[32];
        x[0] = 1f;   // 2 * (0 - 8) = -16
        x[31] = 1f;  // 2 * (7 - 15) = -16
        x[17] = 0.5f; // 2 * (7 - 1) = 12 -> 6
        assertThat(m.dot(0, x, 0)).isEqualTo(-16f - 16f + 6f);
    }

    /**
     * Q4_1, Q5_0 and Q5_1 blocks written by hand, decoded as the format says: scale, minimum where the type has one, the
     * fifth bits' word (bit j for element j, bit j + 16 for element j + 16), then the nibbles (j low, j + 16 high).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_1", "Q5_0", "Q5_1"})
    void q41Q50AndQ51BlocksDecodeAsTheFormatSays(GgmlType type) {
        boolean min = type != GgmlType.Q5_0;
        boolean fifth = type != GgmlType.Q4_1;
        int fifthBits = 0b1010_0000_0000_0001_1000_0000_0000_1001; // elements 0, 3, 15, 16, 29, 31
        ByteBuffer b = ByteBuffer.allocate(type.blockBytes() * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int block = 0; block < 2; block++) { // the second block is the first's bytes with another scale
            b.putShort(block == 0 ? TWO : HALF);
            if (min) {
                b.putShort((short) 0xBC00); // -1.0
            }
            if (fifth) {
                b.putInt(fifthBits);
            }
            for (int j = 0; j < 16; j++) {
                b.put((byte) ((j & 0xF) | ((15 - j) << 4)));
            }
        }
        WeightMatrix m = WeightMatrix.of(type, MemorySegment.ofArray(b.array()), 1, 64);
        float[] row = new float[64];
        m.dequantizeRow(0, row, 0);
        float[] x = new float[64];
        double expectedDot = 0;
        for (int i = 0; i < 64; i++) {
            int e = i % 32;
            int q = (e < 16 ? e : 31 - e) + (fifth && ((fifthBits >>> e) & 1) == 1 ? 16 : 0);
            float d = i < 32 ? 2f : 0.5f;
            float expected = type == GgmlType.Q5_0 ? d * (q - 16) : d * q - 1f;
            assertThat(row[i]).as(type + " element " + i).isEqualTo(expected);
            x[i] = (i % 5) - 2;
            expectedDot += (double) expected * x[i];
        }
        assertThat((double) m.dot(0, x, 0)).isCloseTo(expectedDot, within(1e-4));
        assertThat(m).isInstanceOf(LegacyQuantMatrix.class);
    }

    /**
     * MXFP4 blocks written by hand: the E8M0 byte a power of two halved (2^(e − 128), subnormal for e 0 and 1), each
     * nibble an E2M1 number doubled (sign bit 3; 8 is +0, as llama.cpp's table has it), byte j holding element j low and
     * j + 16 high.
     */
    @Test
    void mxfp4BlocksDecodeAsTheFormatSays() {
        float[] doubled = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
        int[] exponents = {128, 120, 1, 0};
        ByteBuffer b = ByteBuffer.allocate(17 * exponents.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int e : exponents) {
            b.put((byte) e);
            for (int j = 0; j < 16; j++) {
                b.put((byte) (j | (15 - j) << 4));
            }
        }
        WeightMatrix m = WeightMatrix.of(GgmlType.MXFP4, MemorySegment.ofArray(b.array()), 1, 32 * exponents.length);
        assertThat(m).isInstanceOf(MxFp4Matrix.class);
        float[] row = new float[m.cols()];
        m.dequantizeRow(0, row, 0);
        float[] x = new float[m.cols()];
        double expectedDot = 0;
        for (int i = 0; i < row.length; i++) {
            int j = i % 32;
            float scale = (float) Math.scalb(1.0, exponents[i / 32] - 128);
            float expected = doubled[j < 16 ? j : 31 - j] * scale;
            assertThat(Float.floatToRawIntBits(row[i])).as("element " + i + ": " + row[i] + " vs " + expected)
                    .isEqualTo(Float.floatToRawIntBits(expected));
            x[i] = i < 64 ? (i % 7) - 3 : 0; // the subnormal blocks' products vanish beside the others
            expectedDot += (double) expected * x[i];
        }
        assertThat((double) m.dot(0, x, 0)).isCloseTo(expectedDot, within(1e-6));
        assertThat(MxFp4Matrix.halfScale(0)).isEqualTo((float) Math.scalb(1.0, -128));
        assertThat(MxFp4Matrix.halfScale(255)).isEqualTo((float) Math.scalb(1.0, 127));
    }

    /** Both ways of decoding MXFP4 nibbles in lanes, the table's (512-bit vectors) and the computed one, give every value. */
    @Test
    void mxfp4NibblesDecodeAlikeByTableAndByTheirBits() {
        float[] computed = MxFp4Matrix.decodedLanes(false);
        float[] table = MxFp4Matrix.decodedLanes(true);
        for (int i = 0; i < computed.length; i++) {
            int expected = Float.floatToRawIntBits(MxFp4Matrix.nibbleValue(i % 16));
            assertThat(Float.floatToRawIntBits(computed[i])).as("computed, lane %d", i).isEqualTo(expected);
            if (table != null) {
                assertThat(Float.floatToRawIntBits(table[i])).as("table, lane %d", i).isEqualTo(expected);
            }
        }
        assertThat(MxFp4Matrix.nibbleValue(7)).isEqualTo(12f);
        assertThat(MxFp4Matrix.nibbleValue(13)).isEqualTo(-6f);
    }

    /**
     * llama.cpp's MXFP4 quantiser on a block whose largest magnitude is 6: exponent floor(log2 6) − 2 + 127 = 127, so the
     * halved scale is 0.5 and the E2M1 values 0 … 6 are exact; 2.4 lies nearer 2 than 3, 5 is as near 4 as 6 (the lower
     * nibble wins), −0.2 rounds to 0.
     */
    @Test
    void theMxfp4QuantizerPicksLlamaCppsScaleAndNearestNibbles() {
        float[] x = new float[32];
        x[0] = 6f;
        x[1] = -1f;
        x[2] = 2.4f;
        x[3] = 5f;
        x[4] = -0.2f;
        x[16] = -6f;
        x[17] = 0.5f;
        ByteBuffer buf = ByteBuffer.allocate(17);
        BlockQuantizer.encode(GgmlType.MXFP4, x, 0, 32, buf);
        byte[] q = buf.array();
        assertThat(q[0] & 0xFF).isEqualTo(127);
        assertThat(q[1] & 0xFF).isEqualTo(7 | 15 << 4);   // 6 → nibble 7 (doubled 12 × 0.5), −6 → 15
        assertThat(q[2] & 0xFF).isEqualTo(10 | 1 << 4);   // −1 → 10 (−2 × 0.5), 0.5 → 1
        assertThat(q[3] & 0xFF).isEqualTo(4);             // 2.4 → 2 (nibble 4)
        assertThat(q[4] & 0xFF).isEqualTo(6);             // 5 → 4 (nibble 6), not 6 (nibble 7)
        assertThat(q[5] & 0xFF).isEqualTo(0);             // −0.2 → 0
    }

    @Test
    void bf16AndF16DecodeTheirBitPatterns() {
        ByteBuffer bf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer hf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) {
            float v = (i - 16) * 0.25f; // exactly representable in both
            bf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
            hf.putShort(Float.floatToFloat16(v));
        }
        float[] a = new float[32];
        float[] c = new float[32];
        WeightMatrix.of(GgmlType.BF16, MemorySegment.ofArray(bf.array()), 1, 32).dequantizeRow(0, a, 0);
        WeightMatrix.of(GgmlType.F16, MemorySegment.ofArray(hf.array()), 1, 32).dequantizeRow(0, c, 0);
        for (int i = 0; i < 32; i++) {
            assertThat(a[i]).isEqualTo((i - 16) * 0.25f);
            assertThat(c[i]).isEqualTo((i - 16) * 0.25f);
        }
    }

    /**
     * Every one of the 65,536 half-precision bit patterns decodes as {@link Float#float16ToFloat} does: zeros of both
     * signs, subnormals, normals, infinities, and NaNs (NaN for NaN), in row decoding (element by element, from an odd
     * start too) and in the dot product, which converts halves in vector lanes: row {@code h} holds 32 copies of
     * {@code h}, and its dot product with ones is exactly 32 times the half's value (equal terms, sums exact in float).
     */
    @Test
    void f16DecodesEveryBitPatternAsTheJdkDoes() {
        int n = 1 << 16;
        ByteBuffer hf = ByteBuffer.allocate(2 * (n + 1)).order(ByteOrder.LITTLE_ENDIAN);
        hf.putShort((short) 0);
        for (int h = 0; h < n; h++) {
            hf.putShort((short) h);
        }
        WeightMatrix m = WeightMatrix.of(GgmlType.F16, MemorySegment.ofArray(hf.array()), 1, n + 1);
        float[] all = new float[n + 1];
        m.dequantizeRow(0, all, 0);
        float[] fromOne = new float[n];
        m.dequantize(0, 1, n, fromOne, 0);
        for (int h = 0; h < n; h++) {
            float expected = Float.float16ToFloat((short) h);
            for (float actual : new float[] {all[h + 1], fromOne[h]}) {
                if (Float.isNaN(expected)) {
                    assertThat(actual).as("half 0x%04x", h).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(actual)).as("half 0x%04x", h).isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
        int cols = 32;
        ByteBuffer rows = ByteBuffer.allocate(2 * n * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < n; h++) {
            for (int c = 0; c < cols; c++) {
                rows.putShort((short) h);
            }
        }
        WeightMatrix copies = WeightMatrix.of(GgmlType.F16, MemorySegment.ofArray(rows.array()), n, cols);
        float[] ones = new float[cols];
        Arrays.fill(ones, 1f);
        for (int h = 0; h < n; h++) {
            float expected = cols * Float.float16ToFloat((short) h);
            float actual = copies.dot(h, ones, 0);
            if (Float.isNaN(expected)) {
                assertThat(actual).as("dot over half 0x%04x", h).isNaN();
            } else {
                // exact; a sum starting from +0 turns -0 into +0, which == compares as equal
                assertThat(actual == expected).as("dot over half 0x%04x: %s, not %s", h, actual, expected).isTrue();
            }
        }
    }

    /** The dot product over halves at the edges of the range: subnormals of both signs and the largest finite half. */
    @Test
    void f16DotProductTakesSubnormalsAndTheLargestHalf() {
        int cols = 41; // vector steps and a scalar tail (column 40) at 8 or 16 lanes
        ByteBuffer hf = ByteBuffer.allocate(2 * cols).order(ByteOrder.LITTLE_ENDIAN);
        short[] halves = new short[cols];
        halves[3] = 0x0001;            // the smallest subnormal, 2^-24
        halves[20] = (short) 0x83ff;   // the largest negative subnormal, -1023 * 2^-24
        halves[33] = 0x7bff;           // the largest finite half, 65504
        halves[40] = 0x3c00;           // 1.0, in the tail
        for (short h : halves) {
            hf.putShort(h);
        }
        float[] x = new float[cols];
        Arrays.fill(x, 3f);
        WeightMatrix m = WeightMatrix.of(GgmlType.F16, MemorySegment.ofArray(hf.array()), 1, cols);
        double expected = 3.0 * (0x1p-24 - 1023 * 0x1p-24 + 65504 + 1);
        assertThat((double) m.dot(0, x, 0)).isCloseTo(expected, within(expected * 0x1p-22));
        x[33] = 0f;
        x[40] = 0f;
        assertThat(m.dot(0, x, 0)).isEqualTo((float) (3.0 * (0x1p-24 - 1023 * 0x1p-24)));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "MXFP4"})
    void quantizerErrorStaysWithinOneQuantizationStep(GgmlType type) {
        // Q4_0 (Q5_0) maps the element of largest magnitude to -8 (-16) steps, so the opposite end clamps at +7 (+15): up
        // to one step off; the other types round to nearest: half a step.
        float[] src = random(64 * 3, 1);
        WeightMatrix m = encode(type, src, 3, 64);
        float[] back = new float[64];
        for (int r = 0; r < 3; r++) {
            m.dequantizeRow(r, back, 0);
            for (int blk = 0; blk < 2; blk++) {
                float amax = 0;
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(src[r * 64 + blk * 32 + j]));
                    min = Math.min(min, src[r * 64 + blk * 32 + j]);
                    max = Math.max(max, src[r * 64 + blk * 32 + j]);
                }
                double step = switch (type) {
                    case Q8_0 -> amax / 127.0;
                    case Q4_0 -> amax / 8.0;
                    case Q5_0 -> amax / 16.0;
                    case Q4_1 -> (max - min) / 15.0;
                    case Q5_1 -> (max - min) / 31.0;
                    case F16 -> amax / 1024.0;
                    case BF16 -> amax / 128.0;
                    // the scale s puts max|x| in [4s, 8s): gaps of at most 2s below 6s, and 6s the largest value
                    case MXFP4 -> amax / 4.0;
                    default -> 0;
                };
                for (int j = 0; j < 32; j++) {
                    int i = blk * 32 + j;
                    assertThat((double) back[i]).as(type + " row " + r + " element " + i)
                            .isCloseTo(src[r * 64 + i], within(step * (type == GgmlType.Q4_0 || type == GgmlType.Q5_0 || type == GgmlType.MXFP4 ? 1.0 : 0.5) + 1e-3 * amax + 1e-7));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "MXFP4"})
    void batchedAndSingleTokenMatmulsEqualAPlainDoubleProduct(GgmlType type) {
        int rows = 37, cols = 96, tokens = 5;
        WeightMatrix m = encode(type, random(rows * cols, 2), rows, cols);
        float[] x = random(tokens * cols, 3);
        assertBatchedAndSingleTokenEqualDoubleProduct(m, x, tokens, 3, 1e-4);
    }

    static double[][] decodedRows(WeightMatrix m) {
        double[][] w = new double[m.rows()][m.cols()];
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.dequantizeRow(r, row, 0);
            for (int c = 0; c < m.cols(); c++) {
                w[r][c] = row[c];
            }
        }
        return w;
    }

    /** {@code tokens} tokens of {@code x} through {@code m} in one batch, and one at a time, against a double product. */
    static void assertBatchedAndSingleTokenEqualDoubleProduct(WeightMatrix m, float[] x, int tokens, int threads, double tolerance) {
        double[][] w = decodedRows(m);
        int cols = m.cols();
        float[] multiplied = multipliedInput(m, x);
        try (WorkerPool pool = new WorkerPool(threads)) {
            MatmulKernel kernel = new MatmulKernel(pool);
            assertBatchedEqualsDoubleProduct(kernel, w, m, x, tokens, tolerance, "batched");
            float[] one = new float[m.rows()];
            for (int t = 0; t < tokens; t++) {
                kernel.multiply(m, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, one);
                assertDoubleProduct(w, multiplied, t, 1, one, tolerance, "single");
            }
        }
    }

    /** {@code tokens} tokens of {@code x} through {@code m} in one batch on {@code kernel}, against the double product with {@code w}. */
    static void assertBatchedEqualsDoubleProduct(MatmulKernel kernel, double[][] w, WeightMatrix m, float[] x, int tokens, double tolerance,
                                                 String what) {
        float[] out = new float[tokens * m.rows()];
        kernel.multiply(m, x, tokens, out);
        assertDoubleProduct(w, multipliedInput(m, x), 0, tokens, out, tolerance, what);
    }

    /**
     * The values {@code m} multiplies {@code x} as: a Q4_0 or K-quant matrix with rows in lanes rounds them to 8 bits per block of 32
     * (scale = largest magnitude / 127, level = the nearest whole number of scales, a tie to the even one), every other
     * matrix takes them as they are.
     */
    static float[] multipliedInput(WeightMatrix m, float[] x) {
        if (!Q4Activations.appliesTo(m)) {
            return x;
        }
        float[] rounded = new float[x.length];
        for (int b = 0; b < x.length; b += 32) {
            float max = 0;
            for (int i = b; i < b + 32; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            float scale = max / 127f;
            float inverse = scale == 0 ? 0 : 1 / scale;
            for (int i = b; i < b + 32; i++) {
                int level = (int) Math.rint(x[i] * inverse);
                assertThat(level).isBetween(-127, 127);
                rounded[i] = level * scale;
            }
        }
        return rounded;
    }

    /** {@code out[(t - t0) * rows + r]} against the double product of decoded row {@code r} and token {@code t}, for tokens {@code t0} on. */
    static void assertDoubleProduct(double[][] w, float[] x, int t0, int tokens, float[] out, double tolerance, String what) {
        int rows = w.length;
        int cols = w[0].length;
        for (int t = t0; t < t0 + tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double expected = 0;
                for (int c = 0; c < cols; c++) {
                    expected += w[r][c] * x[t * cols + c];
                }
                assertThat((double) out[(t - t0) * rows + r]).as(what + " t=" + t + " r=" + r).isCloseTo(expected, within(tolerance));
            }
        }
    }

    static WeightMatrix encode(GgmlType type, float[] src, int rows, int cols) {
        ByteBuffer buf = ByteBuffer.allocate(BlockQuantizer.bytes(type, rows * cols));
        BlockQuantizer.encode(type, src, 0, rows * cols, buf);
        return WeightMatrix.of(type, MemorySegment.ofArray(buf.array()), rows, cols);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "MXFP4"})
    void batchedMatmulOverSeveralColumnSlicesAndTokenTilesEqualsAPlainDoubleProduct(GgmlType type) {
        // five whole column slices and a partial sixth; 9 tokens = two 4-token tiles and one single token; 10 rows = a pair
        // of tiles and a last tile of two rows; the unquantised types get an odd width so that the vector tails run too
        int rows = 10, tokens = 9;
        int cols = 5 * MatmulKernel.TILE_COLUMNS + (type.blockElements() == 1 ? 19 : 32);
        WeightMatrix m = encode(type, random(rows * cols, 4), rows, cols);
        float[] x = random(tokens * cols, 5);
        try (WorkerPool pool = new WorkerPool(2)) {
            assertBatchedEqualsDoubleProduct(new MatmulKernel(pool), decodedRows(m), m, x, tokens, 1e-3, "batched");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0", "Q5_0", "Q4_K"})
    void decodeStepsThatDecodeTheNextPairOfTilesWhileMultiplyingThisOneEqualAPlainDoubleProduct(GgmlType type) {
        // one participant takes all 10 tiles of 37 rows: five pairs, both halves of the scratch in turn, the last tile one
        // row; 6 tokens = one 4-token group and two single tokens; three slices, the last partial
        int rows = 37, tokens = 6;
        int cols = 2 * MatmulKernel.TILE_COLUMNS + (type.blockElements() == 1 ? 19 : type.blockElements());
        WeightMatrix m = encode(type, random(rows * cols, 17), rows, cols);
        float[] x = random(tokens * cols, 18);
        try (WorkerPool pool = new WorkerPool(1)) {
            assertBatchedEqualsDoubleProduct(new MatmulKernel(pool), decodedRows(m), m, x, tokens, 1e-3, "pairs");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_1", "Q4_K", "Q6_K", "MXFP4"})
    void prefillSizedBatchesTakenInPanelsEqualAPlainDoubleProduct(GgmlType type) {
        // 70 tokens: the panel path (17 four-token groups and 2 single tokens); 45 rows = one full panel of 8 tiles, then
        // 4 tiles, the last with one row; widths of two whole slices and a partial third (odd for the unquantised types)
        int rows = 45;
        int tokens = 70;
        int cols = 2 * MatmulKernel.TILE_COLUMNS + (type.blockElements() == 1 ? 19 : type.blockElements());
        assertThat(tokens).isGreaterThanOrEqualTo(MatmulKernel.PANEL_MIN_TOKENS);
        WeightMatrix m = encode(type, random(rows * cols, 13), rows, cols);
        float[] x = random(tokens * cols, 14);
        try (WorkerPool pool = new WorkerPool(2)) {
            assertBatchedEqualsDoubleProduct(new MatmulKernel(pool), decodedRows(m), m, x, tokens, 1e-3, "panels");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 12, 15})
    void operandsPlacedOnCacheLinesGiveBitForBitTheResultsOfUnplacedOnes(int aligned) {
        // decode-step sizes (9 tokens, pairs of tiles) and prefill sizes (40 tokens, panels), one kernel reused for both so
        // that the larger input copy left behind by one call cannot leak into the next
        int rows = 13, cols = 2 * MatmulKernel.TILE_COLUMNS + 32;
        WeightMatrix m = encode(GgmlType.Q8_0, random(rows * cols, 15), rows, cols);
        try (WorkerPool pool = new WorkerPool(2)) {
            MatmulKernel placed = new MatmulKernel(pool, aligned);
            MatmulKernel unplaced = new MatmulKernel(pool, 0);
            for (int tokens : new int[] {40, 9, 2}) {
                float[] x = random(tokens * cols, 16 + tokens);
                float[] expected = new float[tokens * rows];
                float[] out = new float[tokens * rows];
                unplaced.multiply(m, x, tokens, expected);
                placed.multiply(m, x, tokens, out);
                assertThat(out).as("%d tokens", tokens).containsExactly(expected);
                assertDoubleProduct(decodedRows(m), x, 0, tokens, out, 1e-3, "placed");
            }
        }
    }

    @Test
    void aPlaceOffTheCacheLineIsRefused() {
        try (WorkerPool pool = new WorkerPool(1)) {
            assertThatThrownBy(() -> new MatmulKernel(pool, 16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "MXFP4"})
    void dequantizingAColumnRangeGivesThatSliceOfTheRow(GgmlType type) {
        int rows = 3, cols = 256;
        WeightMatrix m = encode(type, random(rows * cols, 6), rows, cols);
        float[] whole = new float[cols];
        m.dequantizeRow(2, whole, 0);
        float[] part = new float[96 + 5];
        m.dequantize(2, 64, 96, part, 5);
        assertThat(Arrays.copyOfRange(part, 5, 101)).containsExactly(Arrays.copyOfRange(whole, 64, 160));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6})
    void matricesMultipliedInOneParallelRegionGiveWhatEachGivesAlone(int tokens) {
        int cols = 64;
        WeightMatrix a = encode(GgmlType.Q8_0, random(21 * cols, 7), 21, cols);
        WeightMatrix b = encode(GgmlType.Q4_0, random(6 * cols, 8), 6, cols);
        WeightMatrix c = encode(GgmlType.F16, random(9 * cols, 9), 9, cols);
        float[] x = random(tokens * cols, 10);
        try (WorkerPool pool = new WorkerPool(2)) {
            assertTogetherAsAlone(new MatmulKernel(pool), x, tokens, a, b, c);
        }
    }

    /**
     * {@code a}, {@code b} and {@code c} multiplied with {@code x} in one parallel region, and {@code a} and {@code b} in
     * another, give exactly what each gives alone; returns {@code a}'s results.
     */
    static float[] assertTogetherAsAlone(MatmulKernel kernel, float[] x, int tokens, WeightMatrix a, WeightMatrix b, WeightMatrix c) {
        float[] ea = new float[tokens * a.rows()], eb = new float[tokens * b.rows()], ec = new float[tokens * c.rows()];
        float[] oa = new float[ea.length], ob = new float[eb.length], oc = new float[ec.length];
        kernel.multiply(a, x, tokens, ea);
        kernel.multiply(b, x, tokens, eb);
        kernel.multiply(c, x, tokens, ec);
        kernel.multiply(x, tokens, a, oa, b, ob, c, oc);
        assertThat(oa).containsExactly(ea);
        assertThat(ob).containsExactly(eb);
        assertThat(oc).containsExactly(ec);
        Arrays.fill(oa, 0f);
        Arrays.fill(ob, 0f);
        kernel.multiply(x, tokens, a, oa, b, ob);
        assertThat(oa).containsExactly(ea);
        assertThat(ob).containsExactly(eb);
        return oa;
    }

    @Test
    void matricesOfDifferentWidthsAreRefusedTogether() {
        WeightMatrix a = encode(GgmlType.Q8_0, random(4 * 64, 11), 4, 64);
        WeightMatrix b = encode(GgmlType.Q8_0, random(4 * 32, 12), 4, 32);
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> new MatmulKernel(pool).multiply(new float[64], 1, a, new float[4], b, new float[4]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one width");
        }
    }
}
