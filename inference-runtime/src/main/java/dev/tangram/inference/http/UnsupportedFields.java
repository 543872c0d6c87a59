package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Predicate;

/**
 * OpenAI request fields that this server does not implement. A request that leaves such a field out, or sets it to the
 * value that asks for nothing ({@code null}, {@code 0}, {@code false}, an empty list or object, {@code "text"},
 * {@code "none"}), is served; any other value is a 400 naming the field, instead of an answer that silently ignores what was
 * asked for. Fields outside OpenAI's API are ignored.
 */
final class UnsupportedFields {
    private record Field(String name, boolean completions, boolean chat, Predicate<JsonNode> asksForNothing) {
    }

    private static final Predicate<JsonNode> ZERO = v -> v.isNumber() && v.doubleValue() == 0;
    private static final Predicate<JsonNode> FALSE = v -> v.isBoolean() && !v.booleanValue();
    private static final Predicate<JsonNode> EMPTY = v -> (v.isArray() || v.isObject()) && v.isEmpty();

    private static final List<Field> FIELDS = List.of(
            new Field("best_of", true, false, v -> v.isNumber() && v.doubleValue() == 1),
            new Field("suffix", true, false, v -> v.isTextual() && v.asText().isEmpty()),
            new Field("functions", false, true, EMPTY),
            new Field("function_call", false, true, v -> "none".equals(v.asText())),
            new Field("modalities", false, true, v -> v.isArray() && v.size() == 1 && "text".equals(v.get(0).asText())),
            new Field("audio", false, true, v -> false),
            new Field("prediction", false, true, v -> false));

    /** Characters of a refused value repeated in the error message. */
    private static final int MAX_SHOWN = 60;

    private UnsupportedFields() {
    }

    /** Throws a 400 for the first field of {@code request} that asks for something this server does not do. */
    static void check(JsonNode request, boolean chat) {
        for (Field f : FIELDS) {
            if (chat ? !f.chat : !f.completions) {
                continue;
            }
            JsonNode v = request.get(f.name);
            if (v != null && !v.isNull() && !f.asksForNothing.test(v)) {
                String got = v.toString();
                if (got.length() > MAX_SHOWN) {
                    got = got.substring(0, MAX_SHOWN) + "...";
                }
                throw ApiError.invalid("'" + f.name + "' is not supported by this server (got " + got + "); leave it out or set it to null", f.name);
            }
        }
    }
}
