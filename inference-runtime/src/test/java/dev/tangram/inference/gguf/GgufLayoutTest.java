package dev.tangram.inference.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated model checked against the published GGUF layout with a minimal parser written here, independent of
 * {@link GgufFile}: header, key/value pairs, tensor infos, alignment of the data section and of every tensor.
 */
class GgufLayoutTest {
    @TempDir
    Path dir;

    @Test
    void generatedModelFollowsThePublishedGgufLayout() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(new String(new byte[] {b.get(), b.get(), b.get(), b.get()}, StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        assertThat(b.getInt()).isEqualTo(3);
        long tensorCount = b.getLong();
        long kvCount = b.getLong();
        Map<String, Object> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = str(b);
            int type = b.getInt();
            kv.put(key, value(b, type));
        }
        assertThat(kv.get("general.architecture")).isEqualTo("llama");
        assertThat(kv.get("llama.block_count")).isEqualTo(2L);
        assertThat(kv.get("llama.embedding_length")).isEqualTo(64L);
        assertThat(kv.get("llama.attention.head_count_kv")).isEqualTo(2L);
        assertThat(kv.get("tokenizer.ggml.model")).isEqualTo("gpt2");
        assertThat(kv.get("tokenizer.ggml.pre")).isEqualTo("llama-bpe");
        assertThat((List<?>) kv.get("tokenizer.ggml.tokens")).hasSize(512);
        assertThat((List<?>) kv.get("tokenizer.ggml.merges")).isNotEmpty();

        record Info(String name, long[] dims, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = str(b);
            int n = b.getInt();
            long[] dims = new long[n];
            for (int d = 0; d < n; d++) {
                dims[d] = b.getLong();
            }
            infos.add(new Info(name, dims, b.getInt(), b.getLong()));
        }
        long dataStart = (b.position() + 31) / 32 * 32;
        for (int p = b.position(); p < dataStart; p++) {
            assertThat(b.get(p)).as("padding before the data section").isZero();
        }
        assertThat(infos.getFirst().name()).isEqualTo("token_embd.weight");
        assertThat(infos.getFirst().dims()).containsExactly(64, 512);
        assertThat(infos.stream().map(Info::name)).contains("blk.0.attn_q.weight", "blk.1.ffn_down.weight", "output_norm.weight")
                .doesNotContain("output.weight");
        long expectedOffset = 0;
        for (Info t : infos) {
            assertThat(t.offset() % 32).as(t.name() + " offset alignment").isZero();
            assertThat(t.offset()).as(t.name() + " offset").isEqualTo(expectedOffset);
            long elements = 1;
            for (long d : t.dims()) {
                elements *= d;
            }
            long bytes = switch (t.type()) {
                case 0 -> elements * 4; // F32
                case 8 -> elements / 32 * 34; // Q8_0
                default -> throw new AssertionError("unexpected type " + t.type());
            };
            expectedOffset = (t.offset() + bytes + 31) / 32 * 32;
        }
        assertThat(dataStart + expectedOffset).isEqualTo(Files.size(file));
        Info norm = infos.stream().filter(t -> t.name().equals("output_norm.weight")).findFirst().orElseThrow();
        float first = b.getFloat((int) (dataStart + norm.offset()));
        assertThat(first).isBetween(0.9f, 1.1f);
    }

    @Test
    void readerAndWriterAgreeOnEveryMetadataType() throws IOException {
        GgufWriter w = new GgufWriter()
                .put("u8", new GgufValue(GgufValueType.UINT8, null, 200))
                .put("i8", new GgufValue(GgufValueType.INT8, null, -5))
                .put("u16", new GgufValue(GgufValueType.UINT16, null, 60000))
                .put("i16", new GgufValue(GgufValueType.INT16, null, -300))
                .put("u32", GgufValue.ofUint32(4_000_000_000L))
                .put("i32", GgufValue.ofInt32(-7))
                .put("f32", GgufValue.ofFloat32(1.5f))
                .put("bool", GgufValue.ofBool(true))
                .put("str", GgufValue.ofString("héllo ▁ world"))
                .put("u64", new GgufValue(GgufValueType.UINT64, null, 1L << 40))
                .put("i64", new GgufValue(GgufValueType.INT64, null, -(1L << 40)))
                .put("f64", new GgufValue(GgufValueType.FLOAT64, null, Math.PI))
                .put("strs", GgufValue.ofStrings("a", "", "ü"))
                .put("floats", GgufValue.ofFloats(1f, -2f))
                .put("bytes", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT8, new byte[] {1, -1}))
                .put("nested", new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY,
                        new GgufValue[] {GgufValue.ofInt32s(1, 2), GgufValue.ofInt32s(3)}))
                .put(GgufFile.ALIGNMENT_KEY, GgufValue.ofUint32(64))
                .tensor("t", GgmlType.F32, new long[] {3}, out -> out.write(new byte[12]))
                .tensor("u", GgmlType.F32, new long[] {2, 2}, out -> out.write(new byte[16]));
        Path file = dir.resolve("kv.gguf");
        w.write(file);
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata m = g.metadata();
            assertThat(m.getInt("u8")).isEqualTo(200);
            assertThat(m.getInt("i8")).isEqualTo(-5);
            assertThat(m.getInt("u16")).isEqualTo(60000);
            assertThat(m.getInt("i16")).isEqualTo(-300);
            assertThat(m.getLong("u32")).isEqualTo(4_000_000_000L);
            assertThat(m.getInt("i32")).isEqualTo(-7);
            assertThat(m.getFloat("f32")).isEqualTo(1.5f);
            assertThat(m.getBool("bool", false)).isTrue();
            assertThat(m.getString("str")).isEqualTo("héllo ▁ world");
            assertThat(m.getLong("u64")).isEqualTo(1L << 40);
            assertThat(m.getLong("i64")).isEqualTo(-(1L << 40));
            assertThat(m.get("f64").value()).isEqualTo(Math.PI);
            assertThat(m.getStringArray("strs")).containsExactly("a", "", "ü");
            assertThat(m.getFloatArray("floats")).containsExactly(1f, -2f);
            assertThat(m.get("nested").length()).isEqualTo(2);
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.dataOffset() % 64).isZero();
            assertThat(g.tensor("u").offset()).isEqualTo(64);
            assertThat(g.tensor("u").rows()).isEqualTo(2);
        }
    }

    @Test
    void truncatedFileNamesTheTensorThatDoesNotFit() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> GgufFile.open(cut)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("output_norm.weight");
    }

    @Test
    void fileCutInsideTheMetadataNamesTheKey() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(all, 60));
        assertThatThrownBy(() -> GgufFile.open(cut)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("general.architecture");
    }

    @Test
    void corruptMagicAndUnknownTypesAreRejectedClearly() throws IOException {
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, "NOPE0000000000000000000000".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> GgufFile.open(bad)).isInstanceOf(GgufFormatException.class).hasMessageContaining("not a GGUF file");

        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(0).putLong(1);
        b.putLong(3).put("key".getBytes(StandardCharsets.US_ASCII)).putInt(99);
        Path weird = dir.resolve("weird.gguf");
        Files.write(weird, java.util.Arrays.copyOf(b.array(), b.position()));
        assertThatThrownBy(() -> GgufFile.open(weird)).isInstanceOf(GgufFormatException.class).hasMessageContaining("'key'")
                .hasMessageContaining("99");
    }

    private static String str(ByteBuffer b) {
        byte[] s = new byte[(int) b.getLong()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0, 1 -> (long) b.get();
            case 2, 3 -> (long) b.getShort();
            case 4 -> b.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> str(b);
            case 9 -> {
                int et = b.getInt();
                long n = b.getLong();
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    list.add(value(b, et));
                }
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new AssertionError("unknown value type " + type);
        };
    }
}
