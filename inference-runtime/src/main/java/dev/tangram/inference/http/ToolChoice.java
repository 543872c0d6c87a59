package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.inference.sampling.JsonSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's function calling where the request says which function to call: {@code tool_choice} naming it, or
 * {@code "required"} with one tool. The answer is then that function's arguments, held to its {@code parameters} schema
 * (as vLLM does for a named tool choice), and comes back as a {@code tool_calls} entry. Letting the model choose is
 * {@link AutoTools}.
 *
 * @param name       the function called
 * @param definition the function's definition as the request gave it (shown to the model)
 * @param parameters its arguments' schema
 */
record ToolChoice(String name, JsonNode definition, JsonSchema parameters) implements Tools {
    /** A call of {@code function} (one of the request's tools, its name checked). */
    static ToolChoice of(JsonNode function) {
        return new ToolChoice(function.path("name").asText(), function, parameters(function));
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
