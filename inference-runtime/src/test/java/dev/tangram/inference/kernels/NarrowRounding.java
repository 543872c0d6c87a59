package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** For tests: values as a narrow KV cache keeps them, worked out apart from {@link NarrowKv}'s code. */
public final class NarrowRounding {
    private NarrowRounding() {}

    /** Each value as the nearest half. */
    public static float[] toHalves(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return out;
    }

    /** Each run of 32 values through a Q8_0 block as the GGUF writer encodes it (llama.cpp's reference rounding), read back. */
    public static float[] throughQ8Blocks(float[] x) {
        ByteBuffer blocks = ByteBuffer.allocate(BlockQuantizer.bytes(GgmlType.Q8_0, x.length)).order(ByteOrder.LITTLE_ENDIAN);
        BlockQuantizer.encode(GgmlType.Q8_0, x, 0, x.length, blocks);
        float[] out = new float[x.length];
        for (int b = 0; b < x.length / 32; b++) {
            float d = Float.float16ToFloat(blocks.getShort(b * 34));
            for (int i = 0; i < 32; i++) {
                out[b * 32 + i] = blocks.get(b * 34 + 2 + i) * d;
            }
        }
        return out;
    }
}
