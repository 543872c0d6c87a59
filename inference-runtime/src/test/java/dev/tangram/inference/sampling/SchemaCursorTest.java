package dev.tangram.inference.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCursorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "description": "who"},
              "age": {"type": "integer"},
              "score": {"type": "number"},
              "ok": {"type": "boolean"},
              "tags": {"type": "array", "items": {"type": "string"}},
              "color": {"enum": ["red", "green"]},
              "nested": {"type": "object", "properties": {"x": {"type": "null"}}, "additionalProperties": false},
              "n": {"enum": [1, 12]}},
             "required": ["name"]}""";

    private static JsonSchema schema(String text) throws Exception {
        return JsonSchema.compile(JSON.readTree(text));
    }

    /** How many bytes of {@code text} the cursor accepts (-1: all), and whether it is then complete. */
    private static String run(JsonSchema schema, String text) {
        SchemaCursor c = new SchemaCursor(schema);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (!c.feed(bytes[i])) {
                return "refused at " + i;
            }
        }
        return c.complete() ? "complete" : "open";
    }

    @Test
    void documentsThatFollowTheSchemaAreAcceptedByteByByteAndComplete() throws Exception {
        JsonSchema s = schema(SCHEMA);
        String doc = "{\"name\":\"Al\\\"é\",\"age\":-42,\"score\":1.5e3,\"ok\":true,\"tags\":[\"a\",\"\"],\"color\":\"green\","
                + "\"nested\":{\"x\":null},\"n\":12}";
        assertThat(run(s, doc)).isEqualTo("complete");
        assertThat(JSON.readTree(doc).get("n").asInt()).isEqualTo(12);
        String other = "{\"name\":\"\",\"age\":0,\"score\":-0.5,\"ok\":false,\"tags\":[],\"color\":\"red\",\"nested\":{\"x\":null},\"n\":1}";
        assertThat(run(s, other)).isEqualTo("complete");
        assertThat(run(s, other.substring(0, other.length() - 1))).isEqualTo("open");
        assertThat(run(schema("{\"type\":\"object\"}"), "{}")).isEqualTo("complete");
    }

    @Test
    void whatTheSchemaDoesNotAllowIsRefusedWhereItStarts() throws Exception {
        JsonSchema s = schema(SCHEMA);
        assertThat(run(s, "{ \"name\"")).isEqualTo("refused at 1"); // compact: no whitespace
        assertThat(run(s, "{\"age\":1")).isEqualTo("refused at 2"); // properties in the order given
        assertThat(run(s, "{\"name\":\"a\",\"age\":1.5")).isEqualTo("refused at 19"); // an integer
        assertThat(run(s, "{\"name\":\"a\",\"age\":1,\"score\":2,\"ok\":yes")).isEqualTo("refused at 35");
        assertThat(run(s, "{\"name\":\"a\",\"age\":1,\"score\":2,\"ok\":true,\"tags\":[1")).isEqualTo("refused at 48");
        assertThat(run(s, "{\"name\":\"a\",\"age\":1,\"score\":2,\"ok\":true,\"tags\":[],\"color\":\"blue\"")).isEqualTo("refused at 59");
        assertThat(run(s, "{\"name\":\"a\"}")).isEqualTo("refused at 11"); // every property is written
        assertThat(run(s, "{\"name\":\"a\",\"age\":01")).isEqualTo("refused at 19");
        String whole = "{\"name\":\"\",\"age\":0,\"score\":0,\"ok\":false,\"tags\":[],\"color\":\"red\",\"nested\":{\"x\":null},\"n\":1}";
        assertThat(run(s, whole + " ")).isEqualTo("refused at " + whole.length()); // nothing after the document
        assertThat(run(s, whole.replace("\"n\":1}", "\"n\":2}"))).startsWith("refused");
    }

    @Test
    void schemasAskingForWhatIsNotHeldToAreRefusedNamingThePlace() {
        assertThatThrownBy(() -> schema("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"))
                .hasMessage("schema: the root must be of type 'object'");
        assertThatThrownBy(() -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^x\"}}}"))
                .hasMessage("schema.properties.a: the keyword 'pattern' is not supported");
        assertThatThrownBy(() -> schema("{\"type\":\"object\",\"additionalProperties\":true}"))
                .hasMessage("schema: 'additionalProperties' must be false (only the listed properties are written)");
        assertThatThrownBy(() -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]}}}"))
                .hasMessageContaining("schema.properties.a: 'type' must be one type name");
        assertThatThrownBy(() -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":[]}}}"))
                .hasMessage("schema.properties.a: the keyword 'anyOf' is not supported");
        assertThatThrownBy(() -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\"}}}"))
                .hasMessage("schema.properties.a: an array needs 'items'");
    }

    @Test
    void sampledOutputsFollowTheSchemaWheneverTheyEnd() throws Exception {
        JsonSchema s = schema(SCHEMA);
        // fragments the schema needs, and single printable bytes, so that no document is a dead end
        List<String> fragments = new ArrayList<>(List.of("", "{\"name\":\"", "\",\"age\":", "\"", ",", "[", "]", "{", "}", "null",
                "true", "false", "-", "12", "0.5", "e3", "red", "\"green\"", "é", "\\n", ":"));
        for (char ch = ' '; ch < 127; ch++) {
            fragments.add(String.valueOf(ch));
        }
        byte[][] text = fragments.stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        int finished = 0;
        for (int seed = 0; seed < 60; seed++) {
            Random rnd = new Random(seed);
            Sampler sampler = new Sampler(new SamplingParams(1f, 0, 1f, seed, new LogitRules(0, 0, 1, Map.of(), 0, new JsonFormat(s))),
                    new int[0], new int[] {0}, text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int token = -1;
            for (int step = 0; step < 400 && token != 0; step++) {
                float[] logits = new float[text.length];
                for (int t = 0; t < logits.length; t++) {
                    // the quote and structural fragments likelier, so that strings end and documents close
                    logits[t] = (float) rnd.nextGaussian() + (t < 21 ? 3 : 0);
                }
                token = sampler.sample(logits);
                out.writeBytes(text[token]);
            }
            String doc = out.toString(StandardCharsets.UTF_8);
            if (token == 0) {
                finished++;
                JsonNode n = JSON.readTree(doc);
                assertThat(n.properties()).extracting(Map.Entry::getKey)
                        .containsExactly("name", "age", "score", "ok", "tags", "color", "nested", "n");
                assertThat(n.get("age").isIntegralNumber()).as(doc).isTrue();
                assertThat(n.get("score").isNumber()).isTrue();
                assertThat(n.get("ok").isBoolean()).isTrue();
                assertThat(n.get("color").asText()).isIn("red", "green");
                assertThat(n.get("n").asInt()).isIn(1, 12);
                assertThat(n.at("/nested/x").isNull()).isTrue();
                n.get("tags").forEach(t -> assertThat(t.isTextual()).isTrue());
            } else {
                assertThat(run(s, doc)).as(doc).isEqualTo("open");
            }
        }
        assertThat(finished).as("documents that reached the end token").isGreaterThan(20);
    }
}
