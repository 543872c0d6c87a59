package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code tool_choice} "auto": the model is shown the functions the way its family was trained to see them and answers as
 * it likes; an answer written as calls of those functions (in the family's {@link ToolCallFormat}) comes back as
 * {@code tool_calls}, anything else as a message.
 *
 * @param functions the functions offered, as the request gave them
 * @param parallel  {@code parallel_tool_calls}: false keeps only the first call of an answer that makes several
 */
record AutoTools(List<JsonNode> functions, boolean parallel) implements Tools {
    Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        functions.forEach(f -> names.add(f.path("name").asText()));
        return names;
    }

    /** Reads a whole answer written in {@code format}. */
    ToolCallFormat.Parsed parse(ToolCallFormat format, String text) {
        ToolCallFormat.Parsed parsed = format.parse(text, names());
        return parallel || parsed.calls().size() <= 1 ? parsed : new ToolCallFormat.Parsed(parsed.content(), parsed.calls().subList(0, 1));
    }
}
