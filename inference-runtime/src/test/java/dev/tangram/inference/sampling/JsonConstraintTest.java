package dev.tangram.inference.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class JsonConstraintTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How many bytes of {@code text} a fresh cursor accepts; -1 for all of them. */
    private static int accepted(byte[] text) {
        JsonCursor c = new JsonCursor();
        for (int i = 0; i < text.length; i++) {
            if (!c.feed(text[i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean completes(String text) {
        JsonCursor c = new JsonCursor();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (!c.feed(b)) {
                return false;
            }
        }
        return c.complete();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"a\":1}", "{\"a\": [1, -2.5e+3, 0, 0.25E-1, true, false, null, \"x\\n\\\"\\u00e9\\/é€😀\"],\n  \"b\": {\"c\": {}, \"d\": []}}"})
    void everyPrefixOfAJsonObjectIsAcceptedAndTheWholeCompletesIt(String doc) throws Exception {
        assertThat(JSON.readTree(doc).isObject()).isTrue();
        assertThat(accepted(doc.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(completes(doc)).isTrue();
        assertThat(completes(doc.substring(0, doc.length() - 1))).isFalse();
    }

    @Test
    void theFirstByteThatCannotContinueAJsonObjectIsRefused() {
        Map<String, Integer> refusedAt = Map.ofEntries(
                Map.entry("[]", 0), Map.entry(" {}", 0), Map.entry("{\"a\" 1}", 5), Map.entry("{\"a\":01}", 6), Map.entry("{\"a\":1.}", 7),
                Map.entry("{\"a\":tru }", 8), Map.entry("{,}", 1), Map.entry("{\"a\":1,}", 7), Map.entry("{\"a\":\"\u0001\"}", 6),
                Map.entry("{\"a\":\"\\q\"}", 7), Map.entry("{} ", 2), Map.entry("{\"a\":-}", 6), Map.entry("{\"a\":1e}", 7),
                Map.entry("{\"a\":[1}", 7), Map.entry("{\"a\":{]}", 6), Map.entry("{\"a\":\"\\u00g0\"}", 10), Map.entry("{1:2}", 1));
        refusedAt.forEach((text, at) -> assertThat(accepted(text.getBytes(StandardCharsets.UTF_8))).as(text).isEqualTo(at));
        byte[] badUtf8 = {'{', '"', (byte) 0xC3, '(', '"'};
        assertThat(accepted(badUtf8)).isEqualTo(3);
        byte[] loneContinuation = {'{', '"', (byte) 0xA9};
        assertThat(accepted(loneContinuation)).isEqualTo(2);
        String longNumber = "{\"a\":1" + "2".repeat(JsonText.MAX_DIGITS);
        assertThat(accepted(longNumber.getBytes(StandardCharsets.UTF_8))).isEqualTo(5 + JsonText.MAX_DIGITS);
        assertThat(accepted("{\"a\":1.5e1234".getBytes(StandardCharsets.UTF_8))).isEqualTo(12);
        assertThat(accepted(("{\"a\":-" + "9".repeat(JsonText.MAX_DIGITS) + "." + "9".repeat(JsonText.MAX_DIGITS) + "e-999}")
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        String padded = "{" + " ".repeat(JsonCursor.MAX_WHITESPACE_RUN + 1);
        assertThat(accepted(padded.getBytes(StandardCharsets.UTF_8))).isEqualTo(JsonCursor.MAX_WHITESPACE_RUN + 1);
    }

    /** A vocabulary of JSON fragments, split UTF-8 and control tokens included; token 0 ends generation. */
    private static final String[] FRAGMENTS = {"", "{", "}", "[", "]", "\"", "\"a\"", ":", ",", "1", "-", "0.5", "e3", "true",
            "fals", "e", "null", " ", "\n  ", "é", "ab", "\\", "n", "u00", "4f", "}}", "\"}", "x\",", "{\"k\":", "u", "l", "t", "r",
            "s", "a", "f"}; // with single letters, so that every literal can be finished

    private static byte[][] vocabulary() {
        byte[][] text = new byte[FRAGMENTS.length + 3][];
        for (int i = 0; i < FRAGMENTS.length; i++) {
            text[i] = FRAGMENTS[i].getBytes(StandardCharsets.UTF_8);
        }
        text[FRAGMENTS.length] = new byte[] {(byte) 0xC3}; // the halves of "é"
        text[FRAGMENTS.length + 1] = new byte[] {(byte) 0xA9};
        text[FRAGMENTS.length + 2] = new byte[0]; // a control token: never drawn
        return text;
    }

    @Test
    void sampledOutputsAreAlwaysJsonObjectsWhenTheyEnd() throws Exception {
        byte[][] text = vocabulary();
        int finished = 0;
        for (int seed = 0; seed < 200; seed++) {
            Random rnd = new Random(seed);
            SamplingParams params = new SamplingParams(1f, 0, 1f, seed, new LogitRules(0, 0, 1, Map.of(), 0, JsonFormat.ANY_OBJECT));
            Sampler s = new Sampler(params, new int[0], new int[] {0}, text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean ended = false;
            for (int step = 0; step < 300 && !ended; step++) {
                float[] logits = new float[text.length];
                for (int t = 0; t < logits.length; t++) {
                    logits[t] = (float) rnd.nextGaussian() + (FRAGMENTS.length > t && FRAGMENTS[t].contains("}") ? 2 : 0);
                }
                int token = s.sample(logits);
                assertThat(token).as("a control token after %s", out).isNotEqualTo(text.length - 1);
                ended = token == 0;
                out.writeBytes(text[token]);
                assertThat(accepted(out.toByteArray())).as("seed %d: %s", seed, out).isEqualTo(-1);
            }
            if (ended) {
                finished++;
                JsonNode doc = JSON.readTree(out.toString(StandardCharsets.UTF_8));
                assertThat(doc.isObject()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
            }
        }
        assertThat(finished).as("outputs that reached the end token").isGreaterThan(100);
    }

    @Test
    void greedyDecodingIsConstrainedToo() {
        byte[][] text = vocabulary();
        Sampler s = new Sampler(new SamplingParams(0f, 0, 1f, 0, new LogitRules(0, 0, 1, Map.of(), 5, JsonFormat.ANY_OBJECT)), new int[0], new int[] {0}, text);
        float[] logits = new float[text.length];
        logits[6] = 5; // "\"a\"" is the model's favourite, then "}", then the end token
        logits[2] = 4;
        logits[0] = 3;
        StringBuilder out = new StringBuilder();
        int token;
        do {
            token = s.sample(logits);
            out.append(new String(text[token], StandardCharsets.UTF_8));
        } while (token != 0 && out.length() < 100);
        // '{' is the only way to start; then the key; ':' and a value are the only ways on; then '}' and, once closed,
        // only the end token, which min_tokens (5) does not hold off from a closed object
        assertThat(out.toString()).startsWith("{\"a\"").endsWith("}");
        assertThat(token).isZero();
    }

    /**
     * The fast path inside free strings lets through exactly what running every token's bytes would: random walks over a
     * vocabulary of awkward tokens (quotes, backslashes, escapes, control bytes, whole and split UTF-8, structure), each
     * step's mask compared with the one computed token by token, for any object and for a schema with string values.
     */
    @Test
    void theMaskInsideStringsIsTheMaskOfRunningEveryToken() throws Exception {
        String[] pieces = {"{", "}", "\"", "\":", "\",\"", "a", "bc", " d", "é", "€", "😀", "\\", "\\n", "\\u00", "e9", "\\\"",
            "x\"", "\"}", "[", "]", "1", "2.5", "true", ":", ",", " ", "\t", "null", "\"a\":\"", "ok\"}", "\u0001", "ab\"cd"};
        byte[][] text = new byte[pieces.length + 3][];
        for (int i = 0; i < pieces.length; i++) {
            text[i] = pieces[i].getBytes(StandardCharsets.UTF_8);
        }
        text[pieces.length] = new byte[] {(byte) 0xC3}; // the first byte of é
        text[pieces.length + 1] = new byte[] {(byte) 0xA9, 'z'}; // its second, then a letter
        text[pieces.length + 2] = new byte[0]; // the end token (no text)
        int endToken = pieces.length + 2;
        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                + "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}");
        Random random = new Random(5);
        int inStrings = 0;
        for (JsonFormat format : new JsonFormat[] {JsonFormat.ANY_OBJECT, new JsonFormat(JsonSchema.compile(schema))}) {
            for (int walk = 0; walk < 200; walk++) {
                JsonConstraint constraint = new JsonConstraint(format, text, new int[] {endToken});
                TextCursor at = format.cursor();
                for (int step = 0; step < 40 && !at.complete(); step++) {
                    inStrings += at.inPlainString() ? 1 : 0;
                    float[] logits = new float[text.length];
                    constraint.mask(logits);
                    java.util.List<Integer> allowed = new java.util.ArrayList<>();
                    for (int t = 0; t < endToken; t++) {
                        boolean expected = runs(format, at, text[t]);
                        assertThat(logits[t] == 0f).as("%s, step %d, token %d", format, step, t).isEqualTo(expected);
                        if (expected) {
                            allowed.add(t);
                        }
                    }
                    // the end token only where nothing else can come (the document is not complete here)
                    assertThat(logits[endToken] == 0f).isEqualTo(allowed.isEmpty());
                    if (allowed.isEmpty()) {
                        break;
                    }
                    int drawn = allowed.get(random.nextInt(allowed.size()));
                    constraint.advance(drawn);
                    for (byte b : text[drawn]) {
                        at.feed(b);
                    }
                }
            }
        }
        assertThat(inStrings).as("steps taken inside plain strings").isGreaterThan(100);
    }

    /** Whether {@code bytes} continue the document where {@code at} is (on a copy). */
    private static boolean runs(JsonFormat format, TextCursor at, byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        TextCursor copy = format.cursor();
        copy.copyFrom(at);
        for (byte b : bytes) {
            if (!copy.feed(b)) {
                return false;
            }
        }
        return true;
    }
}
