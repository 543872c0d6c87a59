package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a chat request's {@code tools} and {@code tool_choice} ask of the answer: a call of one named function
 * ({@link ToolChoice}), or the model's own choice between answering and calling ({@link AutoTools}, OpenAI's default when
 * tools are given).
 */
sealed interface Tools permits ToolChoice, AutoTools {
    Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /**
     * What the request asks for, or null where it asks for no call ({@code tools} absent or empty, or {@code tool_choice}
     * "none").
     */
    static Tools of(JsonNode root) {
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
        if (choice == null || choice.isNull() || "auto".equals(choice.asText(null))) {
            JsonNode parallel = root.get("parallel_tool_calls");
            if (parallel != null && !parallel.isNull() && !parallel.isBoolean()) {
                throw ApiError.invalid("'parallel_tool_calls' must be a boolean", "parallel_tool_calls");
            }
            return new AutoTools(functions, parallel == null || parallel.isNull() || parallel.booleanValue());
        } else if (choice.isObject()) {
            wanted = choice.path("function").path("name").asText(null);
            if (!"function".equals(choice.path("type").asText()) || wanted == null) {
                throw ApiError.invalid("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": "
                        + "{\"name\": ...}}", "tool_choice");
            }
        } else if ("required".equals(choice.asText(null))) {
            if (functions.size() != 1) {
                throw ApiError.invalid("'tool_choice' \"required\" is supported with one tool only (got " + functions.size()
                        + "); name the function to call in 'tool_choice', or let the model choose with \"auto\"", "tool_choice");
            }
            wanted = functions.getFirst().path("name").asText();
        } else {
            throw ApiError.invalid("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": "
                    + "{\"name\": ...}}", "tool_choice");
        }
        for (JsonNode f : functions) {
            if (f.path("name").asText().equals(wanted)) {
                return ToolChoice.of(f);
            }
        }
        throw ApiError.invalid("'tool_choice' names '" + wanted + "', which is not among 'tools'", "tool_choice");
    }
}
