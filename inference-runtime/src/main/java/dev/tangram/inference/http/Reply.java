package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** Builds the JSON bodies of one request's answer. */
record Reply(ObjectMapper json, String id, String model, boolean chat, long created, LogprobsJson logprobs, boolean logprobsWanted,
             ToolChoice tool) {
    /** The finish reason to report: a generation that stopped by itself while calling a function ended with the call. */
    String finishReason(String generation) {
        return tool != null && generation.equals("stop") ? "tool_calls" : generation;
    }

    /** The function call of choice {@code index}: its id, and its name where {@code first} (a stream's first chunk). */
    private ObjectNode call(int index, String arguments, boolean first) {
        ObjectNode call = json.createObjectNode().put("index", 0);
        if (first) {
            call.put("id", "call_" + id.substring(id.length() - 16) + index).put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (first) {
            function.put("name", tool.name());
        }
        function.put("arguments", arguments);
        return call;
    }

    private ObjectNode base() {
        return json.createObjectNode().put("id", id).put("object", chat ? "chat.completion" : "text_completion")
                .put("created", created).put("model", model);
    }

    private ObjectNode chunkBase() {
        ObjectNode n = base();
        if (chat) {
            n.put("object", "chat.completion.chunk");
        }
        return n;
    }

    /** One choice of an answer in one body. */
    ObjectNode choice(int index, String text, List<LogprobsJson.Logged> logged, String finishReason) {
        ObjectNode choice = json.createObjectNode().put("index", index);
        if (tool != null) {
            ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
            ObjectNode call = call(index, text, true);
            call.remove("index"); // a streamed piece's field only
            message.putArray("tool_calls").add(call);
        } else if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.set("logprobs", logprobs.of(chat, logged, logprobsWanted));
        choice.put("finish_reason", finishReason(finishReason));
        return choice;
    }

    ObjectNode whole(List<ObjectNode> choices, Usage usage) {
        ObjectNode body = base();
        body.putArray("choices").addAll(choices);
        body.set("usage", usage(usage));
        return body;
    }

    ObjectNode roleChunk(int index) {
        ObjectNode body = chunkBase();
        ObjectNode choice = body.putArray("choices").addObject().put("index", index);
        ObjectNode delta = choice.putObject("delta").put("role", "assistant");
        if (tool == null) {
            delta.put("content", "");
        } else {
            delta.putNull("content");
        }
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return body;
    }

    /** A streamed piece of choice {@code index}; {@code first}: the first piece of a function call (with its id and name). */
    ObjectNode chunk(int index, String text, List<LogprobsJson.Logged> logged, String finishReason, boolean first) {
        ObjectNode body = chunkBase();
        ObjectNode choice = body.putArray("choices").addObject().put("index", index);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (finishReason == null && tool != null) {
                delta.putArray("tool_calls").add(call(index, text, first));
            } else if (finishReason == null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text);
        }
        choice.set("logprobs", logprobs.of(chat, logged, logprobsWanted && !logged.isEmpty()));
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return body;
    }

    ObjectNode usageChunk(Usage usage) {
        ObjectNode body = chunkBase();
        body.putArray("choices");
        body.set("usage", usage(usage));
        return body;
    }

    private ObjectNode usage(Usage usage) {
        ObjectNode u = json.createObjectNode().put("prompt_tokens", usage.prompt()).put("completion_tokens", usage.completion())
                .put("total_tokens", usage.prompt() + usage.completion());
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.cached());
        return u;
    }
}
