package dev.tangram.inference.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 12 bytes in which Q4_K and Q5_K pack eight 6-bit sub-block scales and eight 6-bit mins: sub-blocks 0–3 keep their
 * scale in the low 6 bits of byte {@code j} and their min in byte {@code j + 4}; sub-blocks 4–7 keep the low 4 bits of
 * each in byte {@code j + 4} (scale low nibble, min high nibble) and the top 2 bits in the spare high bits of bytes
 * {@code j - 4} (scale) and {@code j} (min).
 */
final class KQuantScales {
    static final int BYTES = 12;

    private KQuantScales() {}

    static int scale(MemorySegment data, long at, int j) {
        return j < 4 ? u8(data, at + j) & 63 : (u8(data, at + j + 4) & 0xF) | ((u8(data, at + j - 4) >> 6) << 4);
    }

    static int min(MemorySegment data, long at, int j) {
        return j < 4 ? u8(data, at + j + 4) & 63 : (u8(data, at + j + 4) >> 4) | ((u8(data, at + j) >> 6) << 4);
    }

    /** Packs eight scales and eight mins (each 0–63) as {@link #scale} and {@link #min} read them. */
    static byte[] pack(int[] scales, int[] mins) {
        byte[] b = new byte[BYTES];
        for (int j = 0; j < 4; j++) {
            b[j] = (byte) (scales[j] | ((scales[j + 4] >> 4) << 6));
            b[j + 4] = (byte) (mins[j] | ((mins[j + 4] >> 4) << 6));
            b[j + 8] = (byte) ((scales[j + 4] & 0xF) | ((mins[j + 4] & 0xF) << 4));
        }
        return b;
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
