package dev.tangram.inference.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of a JSON Schema that output can be held to, compiled into a table of nodes for {@link SchemaCursor}: objects
 * (every property written, in the order given, with no others, as OpenAI's strict structured outputs require), arrays
 * of one item schema, strings, numbers, integers, booleans, null, and {@code enum}/{@code const} literals. The text is
 * compact: no whitespace between tokens. A keyword that would constrain the output further than that ({@code pattern},
 * {@code minimum}, {@code anyOf}, {@code $ref}, ...) is refused, naming it, rather than ignored.
 */
public final class JsonSchema {
    enum Kind { OBJECT, ARRAY, STRING, NUMBER, INTEGER, LITERALS }

    /**
     * One schema node.
     *
     * @param segments OBJECT: the bytes before each property's value ({@code {"a":}, {@code ,"b":}), then the closing
     *                 bytes; LITERALS: the literals allowed; otherwise empty
     * @param children OBJECT: each property's node; ARRAY: the item node
     */
    record Node(Kind kind, byte[][] segments, int[] children) {
    }

    /** Keywords that say nothing about the text written. */
    private static final Set<String> DESCRIPTIVE = Set.of("title", "description", "default", "examples", "$schema", "$id", "$comment",
            "required", "additionalProperties", "type", "properties", "items", "enum", "const");

    private final List<Node> nodes = new ArrayList<>();

    private JsonSchema() {
    }

    /** The root's node id (0). */
    static int root() {
        return 0;
    }

    Node node(int id) {
        return nodes.get(id);
    }

    /**
     * Compiles a schema whose root is an object.
     *
     * @throws IllegalArgumentException naming the place in the schema and the reason, where it asks for what this does not do
     */
    public static JsonSchema compile(JsonNode schema) {
        JsonSchema s = new JsonSchema();
        if (!"object".equals(schema.path("type").asText(null))) {
            throw new IllegalArgumentException("schema: the root must be of type 'object'");
        }
        s.add(schema, "schema");
        return s;
    }

    private int add(JsonNode schema, String where) {
        if (!schema.isObject()) {
            throw new IllegalArgumentException(where + ": a schema must be an object");
        }
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            if (!DESCRIPTIVE.contains(e.getKey())) {
                throw new IllegalArgumentException(where + ": the keyword '" + e.getKey() + "' is not supported");
            }
        }
        int id = nodes.size();
        nodes.add(null); // reserved, so that the root is 0 and a parent's id comes before its children's
        if (schema.has("const") || schema.has("enum")) {
            nodes.set(id, literals(schema, where));
            return id;
        }
        JsonNode type = schema.get("type");
        if (type == null || !type.isTextual()) {
            throw new IllegalArgumentException(where + ": 'type' must be one type name (a schema without one, or with several, is not supported)");
        }
        Node node = switch (type.asText()) {
            case "object" -> object(schema, where);
            case "array" -> {
                JsonNode items = schema.get("items");
                if (items == null) {
                    throw new IllegalArgumentException(where + ": an array needs 'items'");
                }
                yield new Node(Kind.ARRAY, new byte[0][], new int[] {add(items, where + ".items")});
            }
            case "string" -> new Node(Kind.STRING, new byte[0][], new int[0]);
            case "number" -> new Node(Kind.NUMBER, new byte[0][], new int[0]);
            case "integer" -> new Node(Kind.INTEGER, new byte[0][], new int[0]);
            case "boolean" -> new Node(Kind.LITERALS, new byte[][] {bytes("true"), bytes("false")}, new int[0]);
            case "null" -> new Node(Kind.LITERALS, new byte[][] {bytes("null")}, new int[0]);
            default -> throw new IllegalArgumentException(where + ": unknown type '" + type.asText() + "'");
        };
        nodes.set(id, node);
        return id;
    }

    private Node object(JsonNode schema, String where) {
        JsonNode extra = schema.get("additionalProperties");
        if (extra != null && !(extra.isBoolean() && !extra.booleanValue())) {
            throw new IllegalArgumentException(where + ": 'additionalProperties' must be false (only the listed properties are written)");
        }
        JsonNode props = schema.path("properties");
        if (!props.isMissingNode() && !props.isObject()) {
            throw new IllegalArgumentException(where + ": 'properties' must be an object");
        }
        List<byte[]> segments = new ArrayList<>();
        List<Integer> children = new ArrayList<>();
        String before = "{";
        for (Map.Entry<String, JsonNode> p : props.properties()) {
            segments.add(bytes(before + quoted(p.getKey()) + ":"));
            children.add(add(p.getValue(), where + ".properties." + p.getKey()));
            before = ",";
        }
        segments.add(bytes(children.isEmpty() ? "{}" : "}"));
        return new Node(Kind.OBJECT, segments.toArray(byte[][]::new), children.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Node literals(JsonNode schema, String where) {
        List<byte[]> out = new ArrayList<>();
        if (schema.has("const")) {
            out.add(bytes(schema.get("const").toString()));
        } else {
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty() || values.size() > 64) {
                throw new IllegalArgumentException(where + ": 'enum' must be an array of 1 to 64 values");
            }
            values.forEach(v -> out.add(bytes(v.toString())));
        }
        return new Node(Kind.LITERALS, out.toArray(byte[][]::new), new int[0]);
    }

    /** A property name as JSON writes it. */
    private static String quoted(String name) {
        return TextNode.valueOf(name).toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
