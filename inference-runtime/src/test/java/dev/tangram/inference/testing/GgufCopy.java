package dev.tangram.inference.testing;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufTensor;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/** Copies a GGUF file with metadata keys set or replaced and F32 vectors added: what no generated file carries. */
public final class GgufCopy {
    private GgufCopy() {}

    public static void write(Path from, Path to, Map<String, GgufValue> keys, Map<String, float[]> vectors) throws IOException {
        GgufWriter w = new GgufWriter();
        try (GgufFile file = GgufFile.open(from)) {
            file.metadata().asMap().forEach((k, v) -> w.put(k, keys.getOrDefault(k, v)));
            keys.forEach(w::put);
            for (GgufTensor t : file.tensors().values()) {
                byte[] bytes = t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                w.tensor(t.name(), t.type(), t.dims(), out -> out.write(bytes));
            }
            vectors.forEach((name, v) -> {
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    b.putFloat(f);
                }
                w.tensor(name, GgmlType.F32, new long[] {v.length}, out -> out.write(b.array()));
            });
            w.write(to);
        }
    }
}
