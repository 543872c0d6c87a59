package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.QuantizedMatrixTest.assertBatchedAndSingleTokenEqualDoubleProduct;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.assertBatchedEqualsDoubleProduct;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.decodedRows;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.encode;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class LaneGroupMatrixTest {
    private static final int G = LaneGroupMatrix.GROUP;

    private static final List<LanePaths> ALL_PATHS = List.of(new LanePaths(true, true), new LanePaths(true, false), new LanePaths(false, true),
            new LanePaths(false, false));

    private static WeightMatrix rearranged(WeightMatrix m, Arena arena) {
        try (WorkerPool pool = new WorkerPool(2)) {
            return LaneLayout.rearrange(m, arena, pool);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void rearrangedRowsDecodeToTheFileLayoutsValuesBitForBit(GgmlType type) {
        int rows = 3 * G, cols = 160;
        WeightMatrix file = encode(type, random(rows * cols, 1), rows, cols);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix lanes = rearranged(file, arena);
            assertThat(lanes).isInstanceOf(LaneGroupMatrix.class);
            assertThat(lanes.type()).isEqualTo(type);
            assertThat(lanes.bytes()).isEqualTo(file.bytes());
            assertDecodeAsTheRows(file, lanes, 64, 2, 32);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void groupProductsOfOneTokenAndOfBatchesEqualAPlainDoubleProduct(GgmlType type) {
        // 21 tokens: five tiles of four, then one; 7 groups: a panel of four, then a panel of three taken one by one; two
        // whole column slices and a partial third
        int rows = 7 * G, cols = 2 * MatmulKernel.LANE_SLICE + 32, tokens = 21;
        WeightMatrix file = encode(type, random(rows * cols, 2), rows, cols);
        float[] x = random(tokens * cols, 3);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix lanes = rearranged(file, arena);
            assertBatchedAndSingleTokenEqualDoubleProduct(lanes, x, tokens, 3, 1e-3);
        }
    }

    @ParameterizedTest
    @CsvSource({"Q4_0, 1", "Q4_0, 2", "Q4_0, 3", "Q4_0, 4", "Q4_0, 5", "Q4_0, 7", "Q4_0, 8", "Q4_0, 9", "Q4_0, 13", "Q4_0, 16", "Q4_0, 17",
            "Q4_0, 40", "Q4_0, 70", "Q8_0, 2", "Q8_0, 3", "Q8_0, 6", "Q8_0, 7", "Q8_0, 8", "Q8_0, 11", "Q8_0, 14", "Q8_0, 17", "Q4_0, 11",
            "Q4_0, 31", "Q4_0, 32", "Q8_0, 5", "Q8_0, 13", "Q8_0, 31", "Q8_0, 32"})
    void everyMixOfTileWidthsAndTheFewTokenPathGiveTheDoubleProduct(GgmlType type, int tokens) {
        // below MatmulKernel.LANE_TILE_MIN_TOKENS each group is multiplied straight from its quants (four tokens at a
        // time, then the last one to three); from there on, decoded slices in register tiles of four, then one to three,
        // or from 5 to 31 tokens in octets (pairs of groups, the fifth alone, eight tokens at a time, a last five to seven
        // padded, one to four left as a few) or, for Q4_0, in short lanes four at a time. With and without short lanes and octets (each machine takes one
        // choice of each by its vector width)
        int rows = 5 * G, cols = 96;
        WeightMatrix file = encode(type, random(rows * cols, 4), rows, cols);
        float[] x = random(tokens * cols, 5 + tokens);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            for (LanePaths paths : ALL_PATHS) {
                MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, paths);
                assertBatchedEqualsDoubleProduct(kernel, decodedRows(file), lanes, x, tokens, 1e-4, tokens + " tokens, " + paths);
            }
            // engine.q4Activations: float: the input as it is, whatever the type
            MatmulKernel floats = new MatmulKernel(pool, Q4Activations.FLOAT);
            float[] out = new float[tokens * rows];
            floats.multiply(lanes, x, tokens, out);
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(file), x, 0, tokens, out, 1e-4, tokens + " tokens, float activations");
        }
    }

    /**
     * The one- and few-token Q4_0 products add a block's sixteen low (and sixteen high) nibble-by-level products in short lanes:
     * at the extremes (every nibble 15 or 0, every level ±127) those sums reach ±30,480, and the nibbles' offset of 8 is
     * taken off in ints. Adding the low and high sums before widening them (±60,960) would wrap, and fail this.
     */
    @ParameterizedTest
    @CsvSource({"255, 1", "255, -1", "0, 1", "0, -1", "15, 1", "240, -1"})
    void oneTokenQ4ProductIsExactAtTheExtremesOfNibblesAndLevels(int quantByte, float value) {
        int rows = G, cols = 64;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(rows * (cols / 32) * 18).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int blk = 0; blk < rows * cols / 32; blk++) {
            b.putShort(Float.floatToFloat16(0.5f));
            for (int j = 0; j < 16; j++) {
                b.put((byte) quantByte);
            }
        }
        WeightMatrix file = WeightMatrix.of(GgmlType.Q4_0, java.lang.foreign.MemorySegment.ofArray(b.array()), rows, cols);
        double low = 0.5 * ((quantByte & 0xF) - 8);
        double high = 0.5 * ((quantByte >>> 4) - 8);
        double expected = cols / 2.0 * (low + high) * value;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, new LanePaths(true, true));
            // one token, and every few-token product (tiles of four, three, two and one), also in a decode step's batch
            for (int tokens : new int[] {1, 2, 3, 4, 5, 9, 31}) {
                float[] x = new float[tokens * cols];
                Arrays.fill(x, value);
                float[] out = new float[tokens * rows];
                kernel.multiply(lanes, x, tokens, out);
                for (int i = 0; i < out.length; i++) {
                    assertThat((double) out[i]).as("%d tokens, output %d", tokens, i).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-3));
                }
            }
        }
    }

    /**
     * Octets decode each column as the tiles' decoded copy holds it and add in the same order, so for whole octets (and a
     * last one of five to seven, padded) the two paths give the same floats, not merely close ones; a Q8_0 and a Q4_0
     * matrix, the Q4_0 one with its input rounded. Below eight tokens the tiles' path would be the few-token products, so
     * those batches are compared with their first tokens of a batch of eight.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 8", "Q8_0, 16", "Q8_0, 24", "Q8_0, 5", "Q8_0, 7", "Q8_0, 13", "Q8_0, 31", "Q4_0, 8", "Q4_0, 16", "Q4_0, 24",
            "Q4_0, 6", "Q4_0, 15"})
    void octetsGiveTheRegisterTilesFloatsBitForBit(GgmlType type, int tokens) {
        int rows = 5 * G, cols = 2 * MatmulKernel.LANE_SLICE + 32;
        WeightMatrix file = encode(type, random(rows * cols, 6), rows, cols);
        float[] x = random(tokens * cols, 7 + tokens);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            float[] inOctets = new float[tokens * rows];
            // Q4_0's decode steps in floats, not short lanes, so that both go through floats
            new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, new LanePaths(false, true)).multiply(lanes, x, tokens, inOctets);
            // the tiles, for at least 8 tokens (each token's products are its own, whatever else is in the batch)
            int tiled = Math.max(tokens, MatmulKernel.LANE_TILE_MIN_TOKENS);
            float[] xTiled = Arrays.copyOf(x, tiled * cols);
            System.arraycopy(random((tiled - tokens) * cols, 8), 0, xTiled, tokens * cols, (tiled - tokens) * cols);
            float[] inTiles = new float[tiled * rows];
            new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, new LanePaths(false, false)).multiply(lanes, xTiled, tiled, inTiles);
            assertThat(inOctets).containsExactly(Arrays.copyOf(inTiles, tokens * rows));
        }
    }

    @Test
    void tileWidthsCoverEveryTokenOnceWidestFirst() {
        for (int tokens = 1; tokens <= 70; tokens++) {
            int covered = 0;
            int last = Integer.MAX_VALUE;
            boolean octets = LaneTiles.octets(tokens);
            assertThat(octets).as("%d tokens", tokens).isEqualTo(tokens >= 5 && tokens < 32);
            int eights = 0;
            for (int t0 = 0, w; t0 < tokens; t0 += w) {
                w = LaneTiles.width(octets, tokens - t0);
                assertThat(w).as("%d tokens from %d", tokens, t0).isLessThanOrEqualTo(last)
                        .isBetween(1, octets ? LaneTiles.OCTET : LaneTiles.TOKENS);
                eights += w == LaneTiles.OCTET ? 1 : 0;
                last = w;
                covered += Math.min(w, tokens - t0); // a last octet of five to seven is padded
            }
            assertThat(covered).as("%d tokens", tokens).isEqualTo(tokens);
            // octets take every eight, and five to seven left; one to four left go as a few
            assertThat(eights).as("%d tokens", tokens).isEqualTo(octets ? tokens / 8 + (tokens % 8 >= 5 ? 1 : 0) : 0);
            // without octets the same batch takes tiles of four
            assertThat(LaneTiles.width(false, tokens)).isEqualTo(Math.min(tokens, LaneTiles.TOKENS));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6, 20})
    void laneAndRowMatricesMultipliedInOneParallelRegionGiveWhatEachGivesAlone(int tokens) {
        int cols = 64;
        WeightMatrix a = encode(GgmlType.Q8_0, random(2 * G * cols, 7), 2 * G, cols);
        WeightMatrix b = encode(GgmlType.Q4_0, random(G * cols, 8), G, cols);
        WeightMatrix c = encode(GgmlType.F16, random(9 * cols, 9), 9, cols);
        float[] x = random(tokens * cols, 10);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix la = LaneLayout.rearrange(a, arena, pool);
            WeightMatrix lb = LaneLayout.rearrange(b, arena, pool);
            float[] oa = QuantizedMatrixTest.assertTogetherAsAlone(new MatmulKernel(pool), x, tokens, la, lb, c);
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(a), x, 0, tokens, oa, 1e-4, "lanes beside rows");
        }
    }

    /**
     * Matrices of every kind (Q8_0, Q4_0 and K-quant lanes, rows of halves and of Q8_0) each times its own token of a
     * three-token input, into their own arrays from their own places, in one parallel region: each gives, bit for bit,
     * what it gives multiplied alone by that token (with 8-bit activations and without).
     */
    @ParameterizedTest
    @EnumSource(Q4Activations.class)
    void matricesEachTimesItsOwnTokenInOneRegionGiveWhatEachGivesAlone(Q4Activations activations) {
        int cols = 256;
        WeightMatrix[] file = {encode(GgmlType.Q8_0, random(2 * G * cols, 41), 2 * G, cols), encode(GgmlType.Q4_0, random(G * cols, 42), G, cols),
                encode(GgmlType.Q4_K, random(G * cols, 43), G, cols), encode(GgmlType.Q6_K, random(G * cols, 44), G, cols),
                encode(GgmlType.F16, random(9 * cols, 45), 9, cols), encode(GgmlType.Q8_0, random(5 * cols, 46), 5, cols)};
        float[] x = random(3 * cols, 47);
        int[] input = {2, 0, 1, 2, 1, 0};
        int[] from = {3, 0, 7, 1, 0, 11};
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), activations, LanePaths.forThisMachine());
            WeightMatrix[] w = new WeightMatrix[file.length];
            float[][] out = new float[file.length][];
            for (int m = 0; m < w.length; m++) {
                w[m] = m < 4 ? LaneLayout.rearrange(file[m], arena, pool) : file[m];
                out[m] = new float[from[m] + w[m].rows() + 2];
                Arrays.fill(out[m], -7f);
            }
            kernel.multiplyEach(w.length, w, input, x, out, from);
            for (int m = 0; m < w.length; m++) {
                float[] alone = new float[w[m].rows()];
                kernel.multiply(w[m], Arrays.copyOfRange(x, input[m] * cols, (input[m] + 1) * cols), 1, alone);
                assertThat(Arrays.copyOfRange(out[m], from[m], from[m] + alone.length)).as("matrix %d", m).containsExactly(alone);
                // nothing written outside its place
                float[] outside = new float[out[m].length - alone.length];
                System.arraycopy(out[m], 0, outside, 0, from[m]);
                System.arraycopy(out[m], from[m] + alone.length, outside, from[m], outside.length - from[m]);
                float[] untouched = new float[outside.length];
                Arrays.fill(untouched, -7f);
                assertThat(outside).as("matrix %d outside its place", m).containsExactly(untouched);
            }
            // a token past the input, a negative place or too few matrices given are refused
            int[] past = input.clone();
            past[1] = 3;
            assertThatThrownBy(() -> kernel.multiplyEach(w.length, w, past, x, out, from))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buffers too small");
            int[] negative = from.clone();
            negative[0] = -1;
            assertThatThrownBy(() -> kernel.multiplyEach(w.length, w, input, x, out, negative))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("matrix 0 takes token 2 and writes from -1");
            assertThatThrownBy(() -> kernel.multiplyEach(7, w, input, x, out, from))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("7 matrices, with 6, 6, 6 and 6 given");
        }
    }

    /**
     * A K-quant matrix of arbitrary bytes (only the float16 fields kept finite), so that every scale and min bit pattern,
     * the 6-bit values' top bits and negative Q6_K scales are met: its lanes decode to the file layout's values bit for
     * bit, row by row, over a column range across a super-block's edge, and group by group.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void kQuantLanesDecodeArbitraryBytesToTheFileLayoutsValuesBitForBit(GgmlType type) {
        int rows = 2 * G, cols = 512;
        WeightMatrix file = arbitraryKQuant(type, rows, cols, 31);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix lanes = rearranged(file, arena);
            assertThat(lanes).isInstanceOf(LaneGroupMatrix.class).isNotInstanceOf(FusedLaneMatrix.class);
            assertThat(lanes.type()).isEqualTo(type);
            assertThat(lanes.bytes()).isEqualTo(LaneLayout.bytes(file))
                    .isEqualTo(switch (type) {
                        case Q4_K -> file.bytes() / 144 * 148;
                        case Q5_K -> file.bytes() / 176 * 180;
                        default -> file.bytes();
                    });
            // the column range and the group's columns cross the first super-block's edge
            assertDecodeAsTheRows(file, lanes, 224, 1, 224);
        }
    }

    /**
     * Q5_0 matrices (llama.cpp's fallback in K-quant files for rows not a multiple of 256) go into lanes widened to Q8_0:
     * arbitrary blocks (every fifth-bit and nibble pattern) decode bit for bit as the file's rows, take 34 bytes a block
     * for the file's 22, and multiply floats as Q8_0's lanes do, one token, decode steps and prefill, on every lane path.
     */
    @Test
    void q50MatricesWidenIntoQ8LanesBitForBit() {
        int rows = 2 * G, cols = 256;
        WeightMatrix file = arbitraryKQuant(GgmlType.Q5_0, rows, cols, 41);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            assertThat(lanes).isInstanceOf(Q8LaneMatrix.class);
            assertThat(lanes.bytes()).isEqualTo(LaneLayout.bytes(file)).isEqualTo(file.bytes() / 22 * 34);
            assertDecodeAsTheRows(file, lanes, 96, 1, 64);
            for (int tokens : new int[] {1, 3, 9, 33}) {
                float[] x = random(tokens * cols, 42 + tokens);
                for (LanePaths paths : ALL_PATHS) {
                    MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, paths);
                    assertBatchedEqualsDoubleProduct(kernel, decodedRows(file), lanes, x, tokens, 1e-3, tokens + " tokens, " + paths);
                }
            }
        }
    }

    /**
     * Every row of {@code lanes} decodes as {@code file}'s, bit for bit; so do 64 columns of row {@code G + 5} from
     * {@code from}, and 96 columns of group {@code group} from {@code c0} decoded column by column.
     */
    private static void assertDecodeAsTheRows(WeightMatrix file, WeightMatrix lanes, int from, int group, int c0) {
        int cols = file.cols();
        float[] expected = new float[cols];
        float[] actual = new float[cols];
        for (int r = 0; r < file.rows(); r++) {
            file.dequantizeRow(r, expected, 0);
            lanes.dequantizeRow(r, actual, 0);
            assertThat(actual).as("row %d", r).containsExactly(expected);
        }
        float[] part = new float[64];
        lanes.dequantize(G + 5, from, 64, part, 0);
        file.dequantizeRow(G + 5, expected, 0);
        assertThat(part).containsExactly(Arrays.copyOfRange(expected, from, from + 64));
        float[] columns = new float[G * 96 + 3];
        ((LaneGroupMatrix) lanes).decodeGroup(group, c0, 96, columns, 3);
        for (int lane = 0; lane < G; lane++) {
            file.dequantizeRow(group * G + lane, expected, 0);
            for (int k = 0; k < 96; k++) {
                assertThat(columns[3 + k * G + lane]).as("lane %d column %d", lane, c0 + k).isEqualTo(expected[c0 + k]);
            }
        }
    }

    /**
     * K-quant lanes multiply one token straight from the quants, in short lanes against 8-bit activations, a decode
     * step's batch the same way four tokens at a time where the lane paths take short lanes, and other batches through
     * the register tiles, with every choice of lane paths (octets do not apply to them); their products
     * equal the double product of their decoded rows with what they multiply (the input rounded to 8 bits, as Q4_0's
     * lanes take it, unless configured to take floats).
     */
    @ParameterizedTest
    @CsvSource({"Q4_K, 1", "Q4_K, 2", "Q4_K, 5", "Q4_K, 8", "Q4_K, 13", "Q4_K, 33", "Q5_K, 1", "Q5_K, 2", "Q5_K, 3", "Q5_K, 4",
            "Q5_K, 7", "Q5_K, 12", "Q6_K, 1", "Q6_K, 3", "Q6_K, 6", "Q6_K, 9", "Q6_K, 16",
            "Q6_K, 37"})
    void kQuantLaneProductsOfOneTokenAndOfBatchesEqualTheDoubleProduct(GgmlType type, int tokens) {
        int rows = 5 * G, cols = 512;
        WeightMatrix file = encode(type, random(rows * cols, 32), rows, cols);
        float[] x = random(tokens * cols, 33 + tokens);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            for (LanePaths paths : ALL_PATHS) {
                MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, paths);
                assertBatchedEqualsDoubleProduct(kernel, decodedRows(file), lanes, x, tokens, 1e-3, tokens + " tokens, " + paths);
            }
            // engine.q4Activations: float: the input as it is
            float[] out = new float[tokens * rows];
            new MatmulKernel(pool, Q4Activations.FLOAT).multiply(lanes, x, tokens, out);
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(file), x, 0, tokens, out, 1e-3, tokens + " tokens, float activations");
        }
    }

    /**
     * Q8_0 lanes take a decode step's batch in octets, which interleave the input their own way: beside K-quant lanes in
     * one parallel region the call takes the tiles' widths for all of them, so the K-quant lanes give what they give
     * alone, bit for bit, and the Q8_0 lanes the same product by another path (equal to a double product's tolerance).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 6, 12})
    void kQuantLanesBesideFusedLanesInOneParallelRegionGiveTheirProducts(int tokens) {
        int cols = 256;
        WeightMatrix a = encode(GgmlType.Q8_0, random(2 * G * cols, 34), 2 * G, cols);
        WeightMatrix b = encode(GgmlType.Q4_K, random(G * cols, 35), G, cols);
        WeightMatrix c = encode(GgmlType.Q6_K, random(G * cols, 36), G, cols);
        float[] x = random(tokens * cols, 37);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, new LanePaths(true, true));
            WeightMatrix la = LaneLayout.rearrange(a, arena, pool);
            WeightMatrix lb = LaneLayout.rearrange(b, arena, pool);
            WeightMatrix lc = LaneLayout.rearrange(c, arena, pool);
            float[] eb = new float[tokens * G], ec = new float[tokens * G];
            kernel.multiply(lb, x, tokens, eb);
            kernel.multiply(lc, x, tokens, ec);
            float[] oa = new float[tokens * 2 * G], ob = new float[tokens * G], oc = new float[tokens * G];
            kernel.multiply(x, tokens, la, oa, lb, ob, lc, oc);
            assertThat(ob).containsExactly(eb);
            assertThat(oc).containsExactly(ec);
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(a), x, 0, tokens, oa, 1e-4, "Q8_0 lanes beside K-quant lanes");
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(b), QuantizedMatrixTest.multipliedInput(lb, x), 0, tokens, ob, 1e-3, "Q4_K lanes");
            QuantizedMatrixTest.assertDoubleProduct(decodedRows(c), QuantizedMatrixTest.multipliedInput(lc, x), 0, tokens, oc, 1e-3, "Q6_K lanes");
        }
    }

    /**
     * Q6_K's one-token and decode-step products add eight {@code (q - 32) · level} products per short lane: at the
     * extremes (every quant 0 or 63, every level ±127) a sum reaches ±32,512, and adding a sub-block's sixteen before
     * widening would wrap. Q4_K's sixteen nibble products per sum reach 30,480 (every nibble 15), Q5_K's eight 31,496
     * (every value 31: nibble 15 and fifth bit).
     */
    @ParameterizedTest
    @CsvSource({"Q6_K, 0, 1.0", "Q6_K, 0, -1.0", "Q6_K, 255, 1.0", "Q6_K, 255, -1.0", "Q4_K, 255, 1.0", "Q4_K, 255, -1.0", "Q5_K, 255, 1.0",
            "Q5_K, 255, -1.0"})
    void oneTokenKQuantProductIsExactAtTheExtremesOfQuantsAndLevels(GgmlType type, int quantByte, float value) {
        int rows = G, cols = 256;
        byte[] bytes = new byte[rows * type.blockBytes()];
        Arrays.fill(bytes, (byte) quantByte);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < bytes.length; at += type.blockBytes()) {
            if (type == GgmlType.Q6_K) {
                for (int s = 0; s < 16; s++) {
                    b.put(at + 192 + s, (byte) (quantByte == 0 ? 1 : -1));
                }
                b.putShort(at + 208, Float.floatToFloat16(0.5f));
            } else {
                b.putShort(at, Float.floatToFloat16(0.5f));
                b.putShort(at + 2, Float.floatToFloat16(0.25f));
            }
        }
        WeightMatrix file = WeightMatrix.of(type, java.lang.foreign.MemorySegment.ofArray(bytes), rows, cols);
        float[] x = new float[cols];
        Arrays.fill(x, value);
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            WeightMatrix lanes = LaneLayout.rearrange(file, arena, pool);
            MatmulKernel kernel = new MatmulKernel(pool, LineAlignment.firstAlignedFloat(), Q4Activations.INT8, new LanePaths(true, true));
            // one token, and a decode step's tiles of four, three, two and one in short lanes
            for (int tokens : new int[] {1, 2, 3, 4, 5, 9}) {
                float[] xs = new float[tokens * cols];
                for (int t = 0; t < tokens; t++) {
                    System.arraycopy(x, 0, xs, t * cols, cols);
                }
                float[] out = new float[tokens * rows];
                kernel.multiply(lanes, xs, tokens, out);
                QuantizedMatrixTest.assertDoubleProduct(decodedRows(file), QuantizedMatrixTest.multipliedInput(lanes, xs), 0, tokens, out,
                        1e-3, type + " at the extremes, " + tokens + " tokens");
                assertThat(out[0]).isNotZero();
            }
        }
    }

    /** A K-quant or Q5_0 matrix over random bytes, its float16 fields ({@code d}, and Q4_K's {@code dmin}) set to finite values. */
    private static WeightMatrix arbitraryKQuant(GgmlType type, int rows, int cols, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int blockBytes = type.blockBytes();
        byte[] bytes = new byte[rows * cols / type.blockElements() * blockBytes];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < bytes.length; at += blockBytes) {
            for (int field : type == GgmlType.Q6_K ? new int[] {208} : type == GgmlType.Q5_0 ? new int[] {0} : new int[] {0, 2}) {
                buf.putShort(at + field, Float.floatToFloat16((float) (random.nextDouble() * 0.02 - 0.01)));
            }
        }
        return WeightMatrix.of(type, java.lang.foreign.MemorySegment.ofArray(bytes), rows, cols);
    }

    @Test
    void matricesWithoutWholeGroupsOrOfOtherTypesKeepTheirRows() {
        int cols = 64;
        WeightMatrix ragged = encode(GgmlType.Q8_0, random((G + 1) * cols, 11), G + 1, cols);
        WeightMatrix f16 = encode(GgmlType.F16, random(G * cols, 12), G, cols);
        try (Arena arena = Arena.ofShared()) {
            assertThat(LaneLayout.applies(ragged)).isFalse();
            assertThat(rearranged(ragged, arena)).isSameAs(ragged);
            assertThat(rearranged(f16, arena)).isSameAs(f16);
        }
    }
}
