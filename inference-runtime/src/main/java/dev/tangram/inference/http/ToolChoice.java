package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.inference.sampling.JsonSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * OpenAI's function calling where the request says which function to call: {@code tool_choice} naming it, or
 * {@code "required"} with one tool. The answer is then that function's arguments, held to its {@code parameters} schema
 * (as vLLM does for a named tool choice), and comes back as a {@code tool_calls} entry. Letting the model choose
 * ({@code "auto"}, the default when tools are given) needs per-family parsing of free text and is refused with a 400.
 *
 * @param name       the function called
 * @param definition the function's definition as the request gave it (shown to the model)
 * @param parameters its arguments' schema
 */
record ToolChoice(String name, JsonNode definition, JsonSchema parameters) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /** The function to call, or null where the request calls none ({@code tools} absent or empty, or {@code tool_choice} "none"). */
    static ToolChoice of(JsonNode root) {
        JsonNode tools = root.get("tools");
        JsonNode choice = root.get("tool_choice");
        boolean none = choice != null && "none".equals(choice.asText(null));
        if (tools == null || tools.isNull() || tools.isArray() && tools.isEmpty() || none) {
            if (choice != null && !choice.isNull() && !none) {
                throw ApiError.invalid("'tool_choice' needs 'tools'", "tool_choice");
            }
            return null;
        }
        if (!tools.isArray()) {
            throw ApiError.invalid("'tools' must be an array of functions", "tools");
        }
        List<JsonNode> functions = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            JsonNode f = t.path("function");
            if (!"function".equals(t.path("type").asText()) || !f.isObject() || !NAME.matcher(f.path("name").asText()).matches()) {
                throw ApiError.invalid("tools[" + i + "] must be {\"type\": \"function\", \"function\": {\"name\": ...}} with a name of "
                        + "letters, digits, '_' or '-' (at most 64)", "tools");
            }
            functions.add(f);
        }
        String wanted;
        if (choice != null && choice.isObject()) {
            wanted = choice.path("function").path("name").asText(null);
            if (!"function".equals(choice.path("type").asText()) || wanted == null) {
                throw ApiError.invalid("'tool_choice' must be \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}",
                        "tool_choice");
            }
        } else if (choice != null && "required".equals(choice.asText(null))) {
            if (functions.size() != 1) {
                throw ApiError.invalid("'tool_choice' \"required\" is supported with one tool only (got " + functions.size()
                        + "); name the function to call in 'tool_choice'", "tool_choice");
            }
            wanted = functions.getFirst().path("name").asText();
        } else {
            throw ApiError.invalid("'tool_choice' \"auto\" (the default when 'tools' are given) is not supported by this server: name "
                    + "the function to call in 'tool_choice', or set it to \"required\" with one tool or to \"none\"", "tool_choice");
        }
        for (JsonNode f : functions) {
            if (f.path("name").asText().equals(wanted)) {
                return new ToolChoice(wanted, f, parameters(f));
            }
        }
        throw ApiError.invalid("'tool_choice' names '" + wanted + "', which is not among 'tools'", "tool_choice");
    }

    private static JsonSchema parameters(JsonNode function) {
        JsonNode p = function.get("parameters");
        if (p == null || p.isNull()) {
            return JsonSchema.compile(JsonNodeFactory.instance.objectNode().put("type", "object"));
        }
        try {
            return JsonSchema.compile(p);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("the parameters of tool '" + function.path("name").asText() + "': " + e.getMessage(), "tools");
        }
    }

    /** The conversation with a system message first that shows the model the function and asks for its arguments. */
    List<ChatTemplate.Message> prompt(List<ChatTemplate.Message> messages, ObjectMapper json) {
        ObjectNode shown = json.createObjectNode().put("name", name);
        if (definition.has("description")) {
            shown.set("description", definition.get("description"));
        }
        if (definition.hasNonNull("parameters")) {
            shown.set("parameters", definition.get("parameters"));
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        out.add(new ChatTemplate.Message("system", "Call the function " + name + ". Answer with a JSON object of its arguments only.\n"
                + shown));
        out.addAll(messages);
        return out;
    }
}
