package dev.tangram.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tangram.inference.kernels.WeightMatrix;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF file larger than 2 GiB: a Q8_0 matrix of 2.18 GB followed by a small tensor that starts past the 2 GiB mark. The
 * file is sparse (its length is set, and only the bytes the test reads back are written), so it costs almost no disk
 * and no time to write, but the reader maps and addresses all of it: offsets past {@code Integer.MAX_VALUE} in the tensor table, in
 * the mapping and in the kernels' row arithmetic.
 */
class GgufLargeFileTest {
    private static final int COLS = 2048;
    private static final int ROWS = 1_000_000;
    private static final int BLOCK_BYTES = GgmlType.Q8_0.blockBytes();
    private static final long ROW_BYTES = GgmlType.Q8_0.bytesFor(COLS);
    private static final long BIG_BYTES = ROWS * ROW_BYTES;
    private static final float[] TAIL = {1.5f, -2.25f, 3f, 42f, 0f, -0f, 7.125f, 1e-3f};

    @TempDir
    Path dir;

    @Test
    void tensorsPastTwoGibibytesAreMappedAndReadInPlace() throws IOException {
        assertThat(BIG_BYTES).isGreaterThan(Integer.MAX_VALUE);
        Path file = dir.resolve("large.gguf");
        assumeTrue(Files.getFileStore(dir).getUsableSpace() > 4L * BIG_BYTES / 3,
                "needs room for a 2.2 GB file in " + dir + " should the file system not keep it sparse");
        long dataStart = writeSparse(file);

        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(Files.size(file)).isGreaterThan(Integer.MAX_VALUE);
            GgufTensor big = gguf.tensor("big");
            GgufTensor tail = gguf.tensor("tail");
            assertThat(big.data().byteSize()).isEqualTo(BIG_BYTES);
            assertThat(gguf.dataOffset()).isEqualTo(dataStart);
            assertThat(dataStart + tail.offset()).isGreaterThan(Integer.MAX_VALUE);
            assertThat(tail.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)).containsExactly(TAIL);

            WeightMatrix m = WeightMatrix.of(big);
            assertThat(m.rows()).isEqualTo(ROWS);
            float[] ones = new float[COLS];
            Arrays.fill(ones, 1f);
            // the last row: first block scale 1 with q = 1..32, second block scale 0.5 with q = -1 everywhere, rest zero
            assertThat(m.dot(ROWS - 1, ones, 0)).isEqualTo(528f - 16f);
            assertThat(m.dot(ROWS - 2, ones, 0)).isZero();
            float[] row = new float[COLS];
            m.dequantizeRow(ROWS - 1, row, 0);
            assertThat(row[0]).isEqualTo(1f);
            assertThat(row[31]).isEqualTo(32f);
            assertThat(row[32]).isEqualTo(-0.5f);
            assertThat(row[COLS - 1]).isZero();
        }
    }

    /** Header, two tensor infos, the length set past both tensors, then the few bytes read back. Returns the data offset. */
    private static long writeSparse(Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(GgufFile.MAGIC).putInt(3).putLong(2).putLong(0);
        long tailOffset = GgufFile.alignUp(BIG_BYTES, GgufFile.DEFAULT_ALIGNMENT);
        tensorInfo(h, "big", new long[] {COLS, ROWS}, GgmlType.Q8_0, 0);
        tensorInfo(h, "tail", new long[] {TAIL.length}, GgmlType.F32, tailOffset);
        long dataStart = GgufFile.alignUp(h.position(), GgufFile.DEFAULT_ALIGNMENT);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(h.array(), 0, h.position());
            raf.setLength(dataStart + tailOffset + 4L * TAIL.length);
            ByteBuffer lastRow = ByteBuffer.allocate(2 * BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            lastRow.putShort(Float.floatToFloat16(1f));
            for (int q = 1; q <= 32; q++) {
                lastRow.put((byte) q);
            }
            lastRow.putShort(Float.floatToFloat16(0.5f));
            for (int q = 0; q < 32; q++) {
                lastRow.put((byte) -1);
            }
            raf.seek(dataStart + BIG_BYTES - ROW_BYTES);
            raf.write(lastRow.array());
            ByteBuffer tail = ByteBuffer.allocate(4 * TAIL.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : TAIL) {
                tail.putFloat(v);
            }
            raf.seek(dataStart + tailOffset);
            raf.write(tail.array());
            raf.getFD().sync();
        }
        return dataStart;
    }

    private static void tensorInfo(ByteBuffer h, String name, long[] dims, GgmlType type, long offset) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        h.putLong(n.length).put(n).putInt(dims.length);
        for (long d : dims) {
            h.putLong(d);
        }
        h.putInt(type.id()).putLong(offset);
    }
}
