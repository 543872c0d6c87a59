package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * The functions offered to gpt-oss, written as its chat template writes them: a TypeScript namespace {@code functions}
 * with one {@code type NAME = (_: {...}) => any;} per function, each parameter on a line of its own after its description
 * as a comment, {@code ?} after the optional ones, JSON Schema types as TypeScript types (enumerations as unions of
 * string literals, arrays as {@code T[]}, nullable ones with {@code | null}), a default as a trailing comment.
 */
final class HarmonyTools {
    /** The longest element type written before an array is shown as {@code any[]}. */
    private static final int MAX_ITEM_TYPE = 50;

    private HarmonyTools() {
    }

    /** The namespace of {@code functions} (each an OpenAI tool's {@code function} object). */
    static String namespace(List<JsonNode> functions) {
        StringBuilder b = new StringBuilder("## functions\n\nnamespace functions {\n\n");
        for (JsonNode f : functions) {
            if (f.path("description").isTextual()) {
                b.append("// ").append(f.get("description").asText()).append('\n');
            }
            b.append("type ").append(f.path("name").asText()).append(" = ");
            JsonNode parameters = f.path("parameters");
            JsonNode properties = parameters.path("properties");
            if (!properties.isObject() || properties.isEmpty()) {
                b.append("() => any;\n\n");
                continue;
            }
            b.append("(_: {\n");
            List<String> required = texts(parameters.path("required"));
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                JsonNode spec = p.getValue();
                if (spec.path("description").isTextual()) {
                    b.append("// ").append(spec.get("description").asText()).append('\n');
                }
                b.append(p.getKey()).append(required.contains(p.getKey()) ? "" : "?").append(": ").append(type(spec)).append(defaultNote(spec))
                        .append(",\n");
            }
            b.append("}) => any;\n\n");
        }
        return b.append("} // namespace functions").toString();
    }

    /** A parameter's default as the template notes it: an enumeration's as its text, any other's as JSON. */
    private static String defaultNote(JsonNode spec) {
        JsonNode d = spec.get("default");
        if (d == null) {
            return "";
        }
        if (spec.has("oneOf")) {
            return "// default: " + d.asText();
        }
        return ", // default: " + (spec.has("enum") ? d.asText() : d.toString());
    }

    /** The TypeScript type of a JSON Schema. */
    static String type(JsonNode spec) {
        JsonNode t = spec.path("type");
        String nullable = spec.path("nullable").asBoolean(false) ? " | null" : "";
        if (t.asText().equals("array")) {
            return arrayOf(spec.path("items")) + nullable;
        }
        if (t.isArray() && !t.isEmpty()) {
            return String.join(" | ", texts(t)); // a union of types, as ["string", "null"]
        }
        if (spec.path("oneOf").isArray()) {
            List<JsonNode> variants = StreamSupport.stream(spec.get("oneOf").spliterator(), false).toList();
            boolean objects = variants.stream().anyMatch(v -> v.path("type").asText().equals("object"));
            return objects && variants.size() > 1 ? "any" : String.join(" | ", variants.stream().map(HarmonyTools::type).toList());
        }
        return switch (t.asText()) {
            case "string" -> spec.path("enum").isArray() && !spec.get("enum").isEmpty()
                    ? "\"" + String.join("\" | \"", texts(spec.get("enum"))) + "\"" : "string" + nullable;
            case "number", "integer" -> "number";
            case "boolean" -> "boolean";
            case "object" -> object(spec);
            default -> "any";
        };
    }

    private static String arrayOf(JsonNode items) {
        if (!items.isObject() || items.isEmpty()) {
            return "any[]";
        }
        return switch (items.path("type").asText()) {
            case "string" -> "string[]";
            case "number", "integer" -> "number[]";
            case "boolean" -> "boolean[]";
            default -> {
                String inner = type(items);
                yield inner.equals("object | object") || inner.length() > MAX_ITEM_TYPE ? "any[]" : inner + "[]";
            }
        };
    }

    /** A nested object: its properties inline, {@code ?} after the optional ones; {@code object} where it lists none. */
    private static String object(JsonNode spec) {
        JsonNode properties = spec.path("properties");
        if (!properties.isObject() || properties.isEmpty()) {
            return "object";
        }
        List<String> required = texts(spec.path("required"));
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
            fields.add(p.getKey() + (required.contains(p.getKey()) ? "" : "?") + ": " + type(p.getValue()));
        }
        return "{\n" + String.join(", ", fields) + "}";
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
