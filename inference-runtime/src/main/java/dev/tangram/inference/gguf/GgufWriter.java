package dev.tangram.inference.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF version 3 file: header, metadata, tensor infos, then each tensor's data at an offset aligned to
 * {@code general.alignment} (32 unless set). Tensor data is streamed from a {@link TensorData} source, so files larger
 * than the heap can be written. The file appears atomically: written to a temporary sibling, fsynced, then renamed.
 */
public final class GgufWriter {
    /** Produces exactly a tensor's bytes, in file order. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, GgmlType type, long[] dims, long bytes, TensorData data) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor of shape {@code dims} (innermost first) whose bytes {@code data} will write. */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, TensorData data) {
        long elements = 1;
        for (long d : dims) {
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockElements() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + dims[0] + " are not whole " + type + " blocks");
        }
        tensors.add(new Entry(name, type, dims.clone(), type.bytesFor(elements), data));
        return this;
    }

    /**
     * Writes the model as a split ({@link GgufSplit}), as llama.cpp's {@code gguf-split --split-max-tensors} does: at most
     * {@code maxTensors} tensors a file, in order, to {@code PREFIX-00001-of-0000N.gguf} and on; the first file with all the
     * metadata, the others with the split's three keys alone (and the alignment, where it is set). Each file appears
     * atomically ({@link #write}); returns them in order.
     */
    public List<Path> writeSplit(Path prefix, int maxTensors) throws IOException {
        if (maxTensors < 1) {
            throw new IllegalArgumentException("a split file holds at least one tensor, not " + maxTensors);
        }
        int count = Math.max(1, (tensors.size() + maxTensors - 1) / maxTensors);
        if (count > 0xFFFF) {
            throw new IllegalArgumentException(tensors.size() + " tensors at " + maxTensors + " a file make more files than a split counts");
        }
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            GgufWriter part = new GgufWriter();
            if (i == 0) {
                part.metadata.putAll(metadata);
            } else if (metadata.containsKey(GgufFile.ALIGNMENT_KEY)) {
                part.put(GgufFile.ALIGNMENT_KEY, metadata.get(GgufFile.ALIGNMENT_KEY));
            }
            part.put(GgufSplit.NO, GgufValue.ofUint16(i));
            part.put(GgufSplit.COUNT, GgufValue.ofUint16(count));
            part.put(GgufSplit.TENSORS, GgufValue.ofInt32(tensors.size()));
            part.tensors.addAll(tensors.subList(i * maxTensors, Math.min(tensors.size(), (i + 1) * maxTensors)));
            Path file = GgufSplit.path(prefix, i, count);
            part.write(file);
            written.add(file);
        }
        return written;
    }

    public void write(Path target) throws IOException {
        int alignment = metadata.containsKey(GgufFile.ALIGNMENT_KEY)
                ? ((Number) metadata.get(GgufFile.ALIGNMENT_KEY).value()).intValue() : GgufFile.DEFAULT_ALIGNMENT;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createFile(dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp"));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                CountingStream out = new CountingStream(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20));
                writeHeader(out, alignment);
                pad(out, alignment);
                for (Entry t : tensors) {
                    long before = out.count;
                    t.data().writeTo(out);
                    long written = out.count - before;
                    if (written != t.bytes()) {
                        throw new IllegalStateException("tensor '" + t.name() + "' wrote " + written + " bytes, its shape needs " + t.bytes());
                    }
                    pad(out, alignment);
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the rename is still atomic
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeHeader(CountingStream out, int alignment) throws IOException {
        out.u32(GgufFile.MAGIC);
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id());
            writeValue(out, e.getValue());
        }
        long offset = 0;
        for (Entry t : tensors) {
            out.string(t.name());
            out.u32(t.dims().length);
            for (long d : t.dims()) {
                out.u64(d);
            }
            out.u32(t.type().id());
            out.u64(offset);
            offset = GgufFile.alignUp(offset + t.bytes(), alignment);
        }
    }

    private static void writeValue(CountingStream out, GgufValue v) throws IOException {
        switch (v.type()) {
            case UINT8, INT8, BOOL -> out.write(v.value() instanceof Boolean b ? (b ? 1 : 0) : ((Number) v.value()).intValue());
            case UINT16, INT16 -> out.u16(((Number) v.value()).intValue());
            case UINT32, INT32 -> out.u32(((Number) v.value()).intValue());
            case UINT64, INT64 -> out.u64(((Number) v.value()).longValue());
            case FLOAT32 -> out.u32(Float.floatToRawIntBits(((Number) v.value()).floatValue()));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits(((Number) v.value()).doubleValue()));
            case STRING -> out.string((String) v.value());
            case ARRAY -> writeArray(out, v);
        }
    }

    private static void writeArray(CountingStream out, GgufValue v) throws IOException {
        out.u32(v.elementType().id());
        out.u64(v.length());
        switch (v.value()) {
            case byte[] a -> out.write(a);
            case short[] a -> { for (short x : a) out.u16(x); }
            case int[] a -> { for (int x : a) out.u32(x); }
            case long[] a -> { for (long x : a) out.u64(x); }
            case float[] a -> { for (float x : a) out.u32(Float.floatToRawIntBits(x)); }
            case double[] a -> { for (double x : a) out.u64(Double.doubleToRawLongBits(x)); }
            case boolean[] a -> { for (boolean x : a) out.write(x ? 1 : 0); }
            case String[] a -> { for (String x : a) out.string(x); }
            case GgufValue[] a -> { for (GgufValue x : a) writeArray(out, x); }
            default -> throw new IllegalArgumentException("unsupported array value " + v.value().getClass());
        }
    }

    private static void pad(CountingStream out, int alignment) throws IOException {
        long padded = GgufFile.alignUp(out.count, alignment);
        while (out.count < padded) {
            out.write(0);
        }
    }

    /** Little-endian primitives over a buffered stream, counting bytes written. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        void u16(int v) throws IOException {
            scratch.clear();
            scratch.putShort((short) v);
            write(scratch.array(), 0, 2);
        }

        void u32(int v) throws IOException {
            scratch.clear();
            scratch.putInt(v);
            write(scratch.array(), 0, 4);
        }

        void u64(long v) throws IOException {
            scratch.clear();
            scratch.putLong(v);
            write(scratch.array(), 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            write(b, 0, b.length);
        }
    }
}
