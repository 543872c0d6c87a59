package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.QuantizedMatrixTest.assertBatchedAndSingleTokenEqualDoubleProduct;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.encode;
import static dev.tangram.inference.kernels.QuantizedMatrixTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The K-quants against hand-built super-blocks: the expected value of every element is computed here element by element
 * from the format's description (which sub-block, which nibble, which high bits), not with the decoder's loop order.
 */
class KQuantMatrixTest {
    private static final short TWO = 0x4000;  // 2.0 in IEEE half precision
    private static final short HALF = 0x3800; // 0.5
    // sub-blocks 4..7 use values of 16 and more, so the top two bits stored apart are exercised
    private static final int[] SCALES = {1, 2, 3, 4, 17, 33, 47, 63};
    private static final int[] MINS = {0, 5, 10, 15, 20, 40, 50, 63};

    /** The 12 scale bytes, written from the layout: low 6 bits in bytes 0-7 for sub-blocks 0-3, nibbles + spare bits for 4-7. */
    private static byte[] scaleBytes() {
        byte[] b = new byte[12];
        for (int s = 0; s < 4; s++) {
            b[s] = (byte) (SCALES[s] & 63);
            b[s + 4] = (byte) (MINS[s] & 63);
        }
        for (int s = 4; s < 8; s++) {
            b[s + 4] = (byte) ((SCALES[s] & 0x0F) | ((MINS[s] & 0x0F) << 4));
            b[s - 4] |= (byte) ((SCALES[s] >> 4) << 6);
            b[s] |= (byte) ((MINS[s] >> 4) << 6);
        }
        return b;
    }

    private static byte[] pattern(int n, int mul, int add) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * mul + add);
        }
        return b;
    }

    private static float[] decode(GgmlType type, byte[] block) {
        WeightMatrix m = WeightMatrix.of(type, MemorySegment.ofArray(block), 1, 256);
        float[] row = new float[256];
        m.dequantizeRow(0, row, 0);
        return row;
    }

    @Test
    void q4kElementIsScaleTimesNibbleMinusMinOfItsSubBlock() {
        byte[] qs = pattern(128, 7, 3);
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(TWO).putShort(HALF).put(scaleBytes()).put(qs);
        float[] row = decode(GgmlType.Q4_K, b.array());
        for (int e = 0; e < 256; e++) {
            int s = e / 32;                      // sub-block
            int qByte = qs[32 * (s / 2) + e % 32] & 0xFF; // sub-blocks 2i and 2i+1 share 32 bytes
            int q = s % 2 == 0 ? qByte & 0x0F : qByte >> 4;
            assertThat(row[e]).as("element " + e).isCloseTo(2f * SCALES[s] * q - 0.5f * MINS[s], within(1e-4f));
        }
    }

    @Test
    void q5kAddsBitSOfQhAsSixteen() {
        byte[] qh = pattern(32, 37, 11);
        byte[] qs = pattern(128, 5, 1);
        ByteBuffer b = ByteBuffer.allocate(176).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(TWO).putShort(HALF).put(scaleBytes()).put(qh).put(qs);
        float[] row = decode(GgmlType.Q5_K, b.array());
        for (int e = 0; e < 256; e++) {
            int s = e / 32;
            int l = e % 32;
            int qByte = qs[32 * (s / 2) + l] & 0xFF;
            int q = (s % 2 == 0 ? qByte & 0x0F : qByte >> 4) + (((qh[l] >> s) & 1) << 4);
            assertThat(row[e]).as("element " + e).isCloseTo(2f * SCALES[s] * q - 0.5f * MINS[s], within(1e-4f));
        }
    }

    @Test
    void q6kElementTakesANibbleOfQlAndTwoBitsOfQhTimesItsSignedScale() {
        byte[] ql = pattern(128, 7, 3);
        byte[] qh = pattern(64, 11, 5);
        byte[] scales = new byte[16];
        for (int g = 0; g < 16; g++) {
            scales[g] = (byte) (g * 9 - 70); // negative and positive
        }
        ByteBuffer b = ByteBuffer.allocate(210).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ql).put(qh).put(scales).putShort(HALF);
        float[] row = decode(GgmlType.Q6_K, b.array());
        for (int e = 0; e < 256; e++) {
            int half = e / 128;
            int k = e % 128 / 32; // which quarter of the half
            int l = e % 32;
            int low = ql[64 * half + (k % 2 == 1 ? 32 : 0) + l] & 0xFF;
            int nibble = k < 2 ? low & 0x0F : low >> 4;
            int top = ((qh[32 * half + l] & 0xFF) >> (2 * k)) & 3;
            int q = (nibble | (top << 4)) - 32;
            assertThat(row[e]).as("element " + e).isEqualTo(0.5f * scales[e / 16] * q);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void encodingRoundTripsWithinAStepOfItsSubBlock(GgmlType type) {
        int rows = 3;
        int cols = 512;
        float[] src = random(rows * cols, 21);
        WeightMatrix m = encode(type, src, rows, cols);
        float[] back = new float[cols];
        int levels = switch (type) {
            case Q4_K -> 15;
            case Q5_K -> 31;
            default -> 63;
        };
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, back, 0);
            for (int i = 0; i < cols; i++) {
                // values are in [-1, 1]: a sub-block spans at most 2, so a step is at most 2 / levels; the 6-bit sub-block
                // scales add up to one more step of error
                assertThat((double) back[i]).as(type + " row " + r + " element " + i).isCloseTo(src[r * cols + i], within(2.0 * 2 / levels));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void batchedAndSingleTokenMatmulsEqualAPlainDoubleProduct(GgmlType type) {
        int rows = 9;
        int cols = 2 * MatmulKernel.TILE_COLUMNS + 256; // two whole column slices and a one-super-block tail
        int tokens = 6;
        WeightMatrix m = encode(type, random(rows * cols, 22), rows, cols);
        float[] x = random(tokens * cols, 23);
        assertBatchedAndSingleTokenEqualDoubleProduct(m, x, tokens, 2, 2e-3);
    }

    @Test
    void aColumnRangeOfWholeSuperBlocksDecodesAsThatSliceOfTheRow() {
        WeightMatrix m = encode(GgmlType.Q6_K, random(2 * 1024, 24), 2, 1024);
        float[] whole = new float[1024];
        m.dequantizeRow(1, whole, 0);
        float[] part = new float[512 + 3];
        m.dequantize(1, 256, 512, part, 3);
        assertThat(java.util.Arrays.copyOfRange(part, 3, 515)).containsExactly(java.util.Arrays.copyOfRange(whole, 256, 768));
    }
}
