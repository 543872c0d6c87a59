package dev.tangram.inference.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF (version 2 or 3) file, memory-mapped read-only. The tensors are slices of the mapping: nothing is copied, and
 * files larger than 2 GiB work. A model split over several files ({@link GgufSplit}) is opened from its first file:
 * every file of the split is mapped, the metadata is the first file's and the tensors are all the files' together.
 * Closing the file unmaps it (all of a split's files); tensors must not be used after that.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Longest string or array the reader accepts; larger counts mean a corrupt file. */
    private static final long MAX_COUNT = 1L << 31;

    private final Arena arena;
    private final Part first;
    private final List<Path> paths;
    private final Map<String, GgufTensor> tensors;

    /** One file as parsed: its own metadata and tensors, and where its data section starts. */
    private record Part(Path path, int version, GgufMetadata metadata, Map<String, GgufTensor> tensors, int alignment, long dataOffset) {}

    private GgufFile(Arena arena, Part first, List<Path> paths, Map<String, GgufTensor> tensors) {
        this.arena = arena;
        this.first = first;
        this.paths = paths;
        this.tensors = tensors;
    }

    /**
     * Maps and parses {@code path}, and where it is the first file of a split the split's other files beside it; a
     * truncated or corrupt file raises {@link GgufFormatException} naming the key or tensor, an incomplete split one
     * naming the file that is missing or wrong.
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Part first = map(path, arena);
            int count = first.metadata().getInt(GgufSplit.COUNT, 1);
            if (count <= 1) {
                return new GgufFile(arena, first, List.of(path), first.tensors());
            }
            return split(first, count, arena);
        } catch (RuntimeException | IOException e) {
            arena.close();
            throw e;
        }
    }

    /** The split of {@code count} files whose first is {@code first}: every file mapped, the tensors of all of them. */
    private static GgufFile split(Part first, int count, Arena arena) throws IOException {
        Path path = first.path();
        int no = first.metadata().getInt(GgufSplit.NO, 0);
        if (no != 0) {
            String firstFile = GgufSplit.prefix(path, no, count).map(p -> ": open the first, " + GgufSplit.path(p, 0, count)).orElse(
                    ": open the first");
            throw new GgufFormatException(path + " is file " + (no + 1) + " of a model split into " + count + " files" + firstFile);
        }
        Path prefix = GgufSplit.prefix(path, 0, count).orElseThrow(() -> new GgufFormatException(path + " is the first of a model split "
                + "into " + count + " files, but its name does not end in " + GgufSplit.suffix(0, count)
                + ", so the others cannot be found (llama.cpp's gguf-split names them so)"));
        List<Path> paths = new ArrayList<>(List.of(path));
        Map<String, GgufTensor> tensors = new LinkedHashMap<>(first.tensors());
        Map<String, Path> holder = new LinkedHashMap<>();
        first.tensors().keySet().forEach(name -> holder.put(name, path));
        for (int i = 1; i < count; i++) {
            Path file = GgufSplit.path(prefix, i, count);
            if (!Files.exists(file)) {
                throw new GgufFormatException(path + " is the first of a model split into " + count + " files, but file " + (i + 1)
                        + ", " + file + ", is missing");
            }
            Part part = map(file, arena);
            if (!part.metadata().contains(GgufSplit.NO)) {
                throw new GgufFormatException(file + ": metadata key '" + GgufSplit.NO + "' is missing, so it is no file of the split that "
                        + path + " starts");
            }
            int partNo = part.metadata().getInt(GgufSplit.NO);
            if (partNo != i) {
                throw new GgufFormatException(file + ": metadata key '" + GgufSplit.NO + "' = " + partNo + " where file " + (i + 1)
                        + " of the split needs " + i);
            }
            for (GgufTensor t : part.tensors().values()) {
                Path other = holder.putIfAbsent(t.name(), file);
                if (other != null) {
                    throw new GgufFormatException(file + ": tensor '" + t.name() + "' is in " + other + " as well");
                }
                tensors.put(t.name(), t);
            }
            paths.add(file);
        }
        int expected = first.metadata().getInt(GgufSplit.TENSORS, tensors.size());
        if (expected != tensors.size()) {
            throw new GgufFormatException(path + ": metadata key '" + GgufSplit.TENSORS + "' = " + expected + " but the " + count
                    + " files of the split hold " + tensors.size() + " tensors");
        }
        return new GgufFile(arena, first, List.copyOf(paths), Collections.unmodifiableMap(tensors));
    }

    /** Maps {@code path} into {@code arena} and parses it as one file. */
    private static Part map(Path path, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.size() == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return parse(path, file);
        }
    }

    private static Part parse(Path path, MemorySegment file) {
        Cursor in = new Cursor(file, path);
        in.context = "the header";
        int magic = in.u32();
        if (magic != MAGIC) {
            throw new GgufFormatException(path + " is not a GGUF file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = in.u32();
        if (version != 2 && version != 3) {
            throw new GgufFormatException(path + ": GGUF version " + version + " is not supported (2 and 3 are)");
        }
        long tensorCount = in.count("tensor count");
        long kvCount = in.count("metadata count");

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.context = "metadata entry #" + i;
            String key = in.string();
            in.context = "metadata key '" + key + "'";
            GgufValueType type = in.valueType();
            if (kv.put(key, in.value(type)) != null) {
                throw new GgufFormatException(path + ": metadata key '" + key + "' appears twice");
            }
        }
        GgufMetadata metadata = new GgufMetadata(kv);
        int alignment = metadata.getInt(ALIGNMENT_KEY, DEFAULT_ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new GgufFormatException(path + ": metadata key '" + ALIGNMENT_KEY + "' = " + alignment + " is not a power of two");
        }

        record Info(String name, GgmlType type, long[] dims, long offset) {}
        Info[] infos = new Info[Math.toIntExact(tensorCount)];
        for (int i = 0; i < infos.length; i++) {
            in.context = "tensor info #" + i;
            String name = in.string();
            in.context = "tensor info of '" + name + "'";
            int nDims = in.u32();
            if (nDims < 1 || nDims > 4) {
                throw new GgufFormatException(path + ": tensor '" + name + "' has " + nDims + " dimensions (1 to 4 are allowed)");
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.u64();
                if (dims[d] <= 0) {
                    throw new GgufFormatException(path + ": tensor '" + name + "' has dimension " + d + " = " + dims[d]);
                }
            }
            int typeId = in.u32();
            GgmlType type;
            try {
                type = GgmlType.ofId(typeId);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(path + ": tensor '" + name + "' has unknown type id " + typeId);
            }
            long offset = in.u64();
            if (offset % alignment != 0) {
                throw new GgufFormatException(path + ": tensor '" + name + "' data offset " + offset + " is not aligned to " + alignment);
            }
            infos[i] = new Info(name, type, dims, offset);
        }
        long dataOffset = alignUp(in.pos, alignment);

        Map<String, GgufTensor> tensors = new LinkedHashMap<>();
        for (Info info : infos) {
            long elements = 1;
            for (long d : info.dims()) {
                elements = Math.multiplyExact(elements, d);
            }
            long bytes;
            try {
                bytes = info.type().bytesFor(elements);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(path + ": tensor '" + info.name() + "': " + e.getMessage());
            }
            long start = dataOffset + info.offset();
            if (start + bytes > file.byteSize()) {
                throw new GgufFormatException(path + " is truncated: tensor '" + info.name() + "' needs bytes [" + start + ", " + (start + bytes)
                        + ") but the file has " + file.byteSize());
            }
            GgufTensor t = new GgufTensor(info.name(), info.type(), info.dims(), info.offset(), file.asSlice(start, bytes));
            if (tensors.put(info.name(), t) != null) {
                throw new GgufFormatException(path + ": tensor '" + info.name() + "' appears twice");
            }
        }
        return new Part(path, version, metadata, Collections.unmodifiableMap(tensors), alignment, dataOffset);
    }

    static long alignUp(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** The file opened: a split's first. */
    public Path path() {
        return first.path();
    }

    /** Every file mapped: the one opened, or a split's files in order. */
    public List<Path> paths() {
        return paths;
    }

    public int version() {
        return first.version();
    }

    /** The metadata of the file opened (a split's first, which holds the model's). */
    public GgufMetadata metadata() {
        return first.metadata();
    }

    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public Optional<GgufTensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path() + ": tensor '" + name + "' is missing"
                    + (paths.size() > 1 ? " (from all " + paths.size() + " files of the split)" : ""));
        }
        return t;
    }

    /** The alignment of the file opened (a tensor's {@link GgufTensor#offset} is one within its own file). */
    public int alignment() {
        return first.alignment();
    }

    /** Byte offset of the data section in the file opened. */
    public long dataOffset() {
        return first.dataOffset();
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Bounds-checked little-endian reads; every failure names what was being read. */
    private static final class Cursor {
        final MemorySegment seg;
        final Path path;
        long pos;
        String context = "";

        Cursor(MemorySegment seg, Path path) {
            this.seg = seg;
            this.path = path;
        }

        private void need(long n) {
            if (n < 0 || pos + n > seg.byteSize()) {
                throw new GgufFormatException(path + " is truncated: reading " + context + " needs " + n + " bytes at offset " + pos
                        + " but the file has " + seg.byteSize());
            }
        }

        int u8() {
            need(1);
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        }

        short u16() {
            need(2);
            short v = seg.get(U16, pos);
            pos += 2;
            return v;
        }

        int u32() {
            need(4);
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        long count(String what) {
            long n = u64();
            if (n < 0 || n > MAX_COUNT) {
                throw new GgufFormatException(path + " is corrupt: " + what + " in " + context + " is " + Long.toUnsignedString(n));
            }
            return n;
        }

        String string() {
            long n = count("string length");
            need(n);
            byte[] bytes = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        GgufValueType valueType() {
            int id = u32();
            try {
                return GgufValueType.ofId(id);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(path + " is corrupt: " + context + " has unknown value type id " + id);
            }
        }

        GgufValue value(GgufValueType type) {
            return switch (type) {
                case UINT8 -> new GgufValue(type, null, u8());
                case INT8 -> new GgufValue(type, null, (int) (byte) u8());
                case UINT16 -> new GgufValue(type, null, u16() & 0xFFFF);
                case INT16 -> new GgufValue(type, null, (int) u16());
                case UINT32 -> new GgufValue(type, null, u32() & 0xFFFFFFFFL);
                case INT32 -> new GgufValue(type, null, u32());
                case FLOAT32 -> {
                    need(4);
                    float f = seg.get(F32, pos);
                    pos += 4;
                    yield new GgufValue(type, null, f);
                }
                case BOOL -> new GgufValue(type, null, u8() != 0);
                case STRING -> new GgufValue(type, null, string());
                case UINT64, INT64 -> new GgufValue(type, null, u64());
                case FLOAT64 -> {
                    need(8);
                    double d = seg.get(F64, pos);
                    pos += 8;
                    yield new GgufValue(type, null, d);
                }
                case ARRAY -> array();
            };
        }

        private GgufValue array() {
            GgufValueType element = valueType();
            int n = Math.toIntExact(count("array length"));
            int fixed = element.fixedBytes();
            if (fixed > 0) {
                need((long) n * fixed);
            }
            Object values = switch (element) {
                case UINT8, INT8 -> bulk(n, ValueLayout.JAVA_BYTE, new byte[n]);
                case UINT16, INT16 -> bulk(n, U16, new short[n]);
                case UINT32, INT32 -> bulk(n, U32, new int[n]);
                case UINT64, INT64 -> bulk(n, U64, new long[n]);
                case FLOAT32 -> bulk(n, F32, new float[n]);
                case FLOAT64 -> bulk(n, F64, new double[n]);
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = u8() != 0;
                    }
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[n];
                    String outer = context;
                    for (int i = 0; i < n; i++) {
                        context = outer + " element " + i;
                        a[i] = string();
                    }
                    context = outer;
                    yield a;
                }
                case ARRAY -> {
                    GgufValue[] a = new GgufValue[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = array();
                    }
                    yield a;
                }
            };
            return new GgufValue(GgufValueType.ARRAY, element, values);
        }

        private Object bulk(int n, ValueLayout layout, Object target) {
            long bytes = n * layout.byteSize();
            MemorySegment.copy(seg, layout, pos, target, 0, n);
            pos += bytes;
            return target;
        }
    }
}
