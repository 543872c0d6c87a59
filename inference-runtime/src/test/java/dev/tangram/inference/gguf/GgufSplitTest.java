package dev.tangram.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.randommodel.QuantMix;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model split over several files, as llama.cpp's gguf-split writes it, read as the one file it was split from. */
class GgufSplitTest {
    @TempDir
    Path dir;

    @Test
    void namesFollowGgufSplit() {
        assertThat(GgufSplit.suffix(0, 3)).isEqualTo("-00001-of-00003.gguf");
        assertThat(GgufSplit.path(dir.resolve("m"), 1, 3)).isEqualTo(dir.resolve("m-00002-of-00003.gguf"));
        assertThat(GgufSplit.prefix(dir.resolve("m-00002-of-00003.gguf"), 1, 3)).contains(dir.resolve("m"));
        assertThat(GgufSplit.prefix(dir.resolve("m-00002-of-00003.gguf"), 0, 3)).isEmpty();
        assertThat(GgufSplit.prefix(dir.resolve("m.gguf"), 0, 3)).isEmpty();
        assertThat(GgufSplit.prefix(dir.resolve("-00001-of-00003.gguf"), 0, 3)).isEmpty();
        assertThat(GgufSplit.baseName(dir.resolve("Qwen3-30B-Q8_0-00001-of-00002.gguf"))).isEqualTo("Qwen3-30B-Q8_0");
        assertThat(GgufSplit.baseName(dir.resolve("tiny.gguf"))).isEqualTo("tiny");
        assertThat(GgufSplit.baseName(dir.resolve("tiny"))).isEqualTo("tiny");
    }

    /** Every tensor of the split file by file in order, the same bytes as the file written whole, and its metadata. */
    @Test
    void aSplitReadsAsTheWholeFile() throws IOException {
        Path whole = dir.resolve("whole.gguf");
        RandomModelSpec spec = RandomModelSpec.tiny(GgmlType.Q8_0);
        RandomModelWriter.write(spec, whole);
        List<Path> files = RandomModelWriter.writeSplit(spec, QuantMix.uniform(GgmlType.Q8_0), 0, dir.resolve("part"), 7);
        assertThat(files).containsExactly(dir.resolve("part-00001-of-00003.gguf"), dir.resolve("part-00002-of-00003.gguf"),
                dir.resolve("part-00003-of-00003.gguf"));
        try (GgufFile one = GgufFile.open(whole); GgufFile split = GgufFile.open(files.getFirst())) {
            assertThat(split.paths()).isEqualTo(files);
            assertThat(one.paths()).containsExactly(whole);
            assertThat(split.tensors().keySet()).containsExactlyElementsOf(one.tensors().keySet()).hasSize(20);
            for (GgufTensor t : one.tensors().values()) {
                GgufTensor s = split.tensor(t.name());
                assertThat(s.type()).isEqualTo(t.type());
                assertThat(s.dims()).isEqualTo(t.dims());
                assertThat(s.data().mismatch(t.data())).as(t.name()).isEqualTo(-1);
            }
            Map<String, GgufValue> expected = new LinkedHashMap<>(one.metadata().asMap());
            expected.put(GgufSplit.NO, GgufValue.ofUint16(0));
            expected.put(GgufSplit.COUNT, GgufValue.ofUint16(3));
            expected.put(GgufSplit.TENSORS, GgufValue.ofInt32(20));
            assertThat(split.metadata().asMap()).isEqualTo(expected);
        }
    }

    /** As gguf-split lays them out: the first file with all the metadata, the others with the split's three keys alone. */
    @Test
    void theFilesAfterTheFirstCarryTheSplitsKeysAlone() throws IOException {
        List<Path> files = RandomModelWriter.writeSplit(RandomModelSpec.tiny(GgmlType.Q4_0), QuantMix.uniform(GgmlType.Q4_0), 0,
                dir.resolve("m"), 9);
        assertThat(files).hasSize(3);
        assertThat(keys(files.get(0))).hasSizeGreaterThan(10).containsEntry("split.no", 0).containsEntry("split.count", 3)
                .containsEntry("split.tensors.count", 20).containsKey("general.architecture");
        assertThat(keys(files.get(1))).containsExactly(Map.entry("split.no", 1), Map.entry("split.count", 3),
                Map.entry("split.tensors.count", 20));
        assertThat(keys(files.get(2))).containsExactly(Map.entry("split.no", 2), Map.entry("split.count", 3),
                Map.entry("split.tensors.count", 20));
    }

    @Test
    void aFileAfterTheFirstIsRefusedNamingTheFirst() throws IOException {
        List<Path> files = tinySplit("m");
        assertThatThrownBy(() -> GgufFile.open(files.get(1))).isInstanceOf(GgufFormatException.class)
                .hasMessage(files.get(1) + " is file 2 of a model split into 3 files: open the first, " + files.getFirst());
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        List<Path> files = tinySplit("m");
        Files.delete(files.get(2));
        assertThatThrownBy(() -> GgufFile.open(files.getFirst())).isInstanceOf(GgufFormatException.class)
                .hasMessage(files.getFirst() + " is the first of a model split into 3 files, but file 3, " + files.get(2) + ", is missing");
    }

    @Test
    void aFirstFileRenamedCannotFindTheOthers() throws IOException {
        List<Path> files = tinySplit("m");
        Path renamed = Files.move(files.getFirst(), dir.resolve("model.gguf"));
        assertThatThrownBy(() -> GgufFile.open(renamed)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("is the first of a model split into 3 files, but its name does not end in -00001-of-00003.gguf");
    }

    /** Files written by hand: another split's file in the place of the second, a tensor in two files, a wrong count. */
    @Test
    void filesThatDoNotMakeOneSplitAreRefusedNamingWhatIsWrong() throws IOException {
        Path prefix = dir.resolve("x");
        part(prefix, 0, 2, 2, "a").write(GgufSplit.path(prefix, 0, 2));
        part(prefix, 0, 2, 2, "b").write(GgufSplit.path(prefix, 1, 2));
        assertThatThrownBy(() -> GgufFile.open(GgufSplit.path(prefix, 0, 2))).isInstanceOf(GgufFormatException.class)
                .hasMessage(GgufSplit.path(prefix, 1, 2) + ": metadata key 'split.no' = 0 where file 2 of the split needs 1");

        part(prefix, 1, 2, 2, "a").write(GgufSplit.path(prefix, 1, 2));
        assertThatThrownBy(() -> GgufFile.open(GgufSplit.path(prefix, 0, 2))).isInstanceOf(GgufFormatException.class)
                .hasMessage(GgufSplit.path(prefix, 1, 2) + ": tensor 'a' is in " + GgufSplit.path(prefix, 0, 2) + " as well");

        part(prefix, 1, 2, 3, "b").write(GgufSplit.path(prefix, 1, 2));
        part(prefix, 0, 2, 3, "a").write(GgufSplit.path(prefix, 0, 2));
        assertThatThrownBy(() -> GgufFile.open(GgufSplit.path(prefix, 0, 2))).isInstanceOf(GgufFormatException.class)
                .hasMessage(GgufSplit.path(prefix, 0, 2) + ": metadata key 'split.tensors.count' = 3 but the 2 files of the split hold 2 tensors");

        GgufWriter plain = new GgufWriter();
        plain.tensor("b", GgmlType.F32, new long[] {4}, out -> out.write(new byte[16]));
        plain.write(GgufSplit.path(prefix, 1, 2));
        assertThatThrownBy(() -> GgufFile.open(GgufSplit.path(prefix, 0, 2))).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining(GgufSplit.path(prefix, 1, 2) + ": metadata key 'split.no' is missing");

        part(prefix, 1, 2, 2, "b").write(GgufSplit.path(prefix, 1, 2));
        part(prefix, 0, 2, 2, "a").write(GgufSplit.path(prefix, 0, 2));
        try (GgufFile ok = GgufFile.open(GgufSplit.path(prefix, 0, 2))) {
            assertThat(ok.tensors().keySet()).containsExactly("a", "b");
            assertThatThrownBy(() -> ok.tensor("c")).hasMessageContaining("tensor 'c' is missing (from all 2 files of the split)");
        }
        // gguf-split --no-tensor-first-split: the first file holds the metadata alone
        part(prefix, 0, 2, 1, null).write(GgufSplit.path(prefix, 0, 2));
        try (GgufFile metadataFirst = GgufFile.open(GgufSplit.path(prefix, 0, 2))) {
            assertThat(metadataFirst.tensors().keySet()).containsExactly("b");
            assertThat(metadataFirst.metadata().getString("general.architecture")).isEqualTo("llama");
        }
    }

    @Test
    void aSplitOfOneFileIsAPlainFileAndMaxTensorsMustBePositive() throws IOException {
        List<Path> files = RandomModelWriter.writeSplit(RandomModelSpec.tiny(GgmlType.Q8_0), QuantMix.uniform(GgmlType.Q8_0), 0,
                dir.resolve("one"), 100);
        assertThat(files).containsExactly(dir.resolve("one-00001-of-00001.gguf"));
        try (GgufFile f = GgufFile.open(files.getFirst())) {
            assertThat(f.paths()).hasSize(1);
            assertThat(f.tensors()).hasSize(20);
        }
        assertThatThrownBy(() -> new GgufWriter().writeSplit(dir.resolve("none"), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one tensor, not 0");
    }

    private List<Path> tinySplit(String name) throws IOException {
        return RandomModelWriter.writeSplit(RandomModelSpec.tiny(GgmlType.Q8_0), QuantMix.uniform(GgmlType.Q8_0), 0, dir.resolve(name), 7);
    }

    /**
     * A split's file {@code no} of {@code count}, saying the split holds {@code total} tensors, with one tensor of four floats
     * (none where {@code tensor} is null).
     */
    private static GgufWriter part(Path prefix, int no, int count, int total, String tensor) {
        GgufWriter w = new GgufWriter();
        if (no == 0) {
            w.put("general.architecture", GgufValue.ofString("llama"));
        }
        w.put(GgufSplit.NO, GgufValue.ofUint16(no));
        w.put(GgufSplit.COUNT, GgufValue.ofUint16(count));
        w.put(GgufSplit.TENSORS, GgufValue.ofInt32(total));
        if (tensor != null) {
            w.tensor(tensor, GgmlType.F32, new long[] {4}, out -> out.write(new byte[16]));
        }
        return w;
    }

    /**
     * A file's metadata keys and their values, read here byte by byte as the GGUF layout gives them (not by
     * {@link GgufFile}), where they are integers of 16 or 32 bits; other values are skipped, their type kept as the value.
     */
    private static Map<String, Object> keys(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(GgufFile.MAGIC);
        assertThat(b.getInt()).isEqualTo(3);
        b.getLong();
        long kv = b.getLong();
        Map<String, Object> keys = new LinkedHashMap<>();
        for (long i = 0; i < kv; i++) {
            String key = string(b);
            int type = b.getInt();
            keys.put(key, switch (type) {
                case 2 -> Short.toUnsignedInt(b.getShort()); // UINT16
                case 5 -> b.getInt(); // INT32
                default -> {
                    skip(b, type);
                    yield "type " + type;
                }
            });
        }
        return keys;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Past a value of GGUF type {@code type}. */
    private static void skip(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5, 6 -> b.getInt();
            case 10, 11, 12 -> b.getLong();
            case 8 -> string(b);
            case 9 -> {
                int element = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) {
                    skip(b, element);
                }
            }
            default -> throw new IllegalStateException("unknown GGUF type " + type);
        }
    }
}
