package dev.tangram.nvml.sim;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One node of a YAML node description together with its file and field path, so that every complaint about it can name
 * the file, the line and the field. Reads SnakeYAML's node tree (no object binding): types are checked here.
 */
final class SpecNode {
    private final String file;
    private final String path;
    private final Node node;

    private SpecNode(String file, String path, Node node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    static SpecNode root(String file, Node node) {
        return new SpecNode(file, "", node);
    }

    String path() {
        return path;
    }

    int line() {
        return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
    }

    NodeSpecException error(String reason) {
        return new NodeSpecException(file, line(), path, reason);
    }

    private Map<String, SpecNode> mapping() {
        if (!(node instanceof MappingNode m)) {
            throw error("must be a mapping (key: value), got " + describe());
        }
        Map<String, SpecNode> fields = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            SpecNode key = new SpecNode(file, path, t.getKeyNode());
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw key.error("keys must be plain names");
            }
            String name = k.getValue();
            SpecNode value = new SpecNode(file, path.isEmpty() ? name : path + "." + name, t.getValueNode());
            if (fields.put(name, value) != null) {
                throw value.error("appears twice");
            }
        }
        return fields;
    }

    /** Fails on any key not in {@code allowed}: a misspelt field is an error, not silently ignored. */
    SpecNode allowOnly(Set<String> allowed) {
        for (Map.Entry<String, SpecNode> e : mapping().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw e.getValue().error("unknown field (expected one of " + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    boolean has(String key) {
        return mapping().containsKey(key);
    }

    SpecNode get(String key) {
        SpecNode value = mapping().get(key);
        if (value == null) {
            throw new NodeSpecException(file, line(), path.isEmpty() ? key : path + "." + key, "is missing");
        }
        return value;
    }

    Optional<SpecNode> opt(String key) {
        return Optional.ofNullable(mapping().get(key));
    }

    List<SpecNode> list() {
        if (!(node instanceof SequenceNode s)) {
            throw error("must be a list, got " + describe());
        }
        List<SpecNode> items = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            items.add(new SpecNode(file, path + "[" + i + "]", s.getValue().get(i)));
        }
        return items;
    }

    String text() {
        if (!(node instanceof ScalarNode s)) {
            throw error("must be a single value, got " + describe());
        }
        if (s.getValue().isBlank()) {
            throw error("must not be empty");
        }
        return s.getValue().trim();
    }

    long integer(long min, long max) {
        String t = text();
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error("must be an integer, got '" + t + "'");
        }
        if (v < min || v > max) {
            throw error("must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    int int32(int min, int max) {
        return (int) integer(min, max);
    }

    double decimal(double min, double max) {
        String t = text();
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw error("must be a number, got '" + t + "'");
        }
        if (!(v >= min && v <= max)) {
            throw error("must be between " + min + " and " + max + ", got " + t);
        }
        return v;
    }

    boolean bool() {
        String t = text();
        return switch (t) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("must be true or false, got '" + t + "'");
        };
    }

    private String describe() {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s -> s.getValue().isEmpty() ? "nothing" : "'" + s.getValue() + "'";
            default -> node.getNodeId().toString();
        };
    }
}
