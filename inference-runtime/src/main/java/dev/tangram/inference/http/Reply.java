package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Builds the JSON bodies of one request's answer.
 *
 * @param tools  the request's tools (null for none)
 * @param format how the served model's family writes calls, for {@link AutoTools}
 * @param reasoning how a chat answer is split into {@code reasoning_content} and content
 */
record Reply(ObjectMapper json, String id, String model, boolean chat, long created, LogprobsJson logprobs, boolean logprobsWanted,
             Tools tools, ToolCallFormat format, AnswerSplit.Mode reasoning) {
    /** The finish reason to report: a generation that stopped by itself after calling functions ended with the calls. */
    String finishReason(String generation, boolean called) {
        return called && generation.equals("stop") ? "tool_calls" : generation;
    }

    /**
     * Call {@code k} of choice {@code index}: its id, type and name where {@code first} (every call in one body; a stream's
     * first piece of it), and its arguments or a piece of them.
     */
    private ObjectNode call(int index, int k, String name, String arguments, boolean first) {
        ObjectNode call = json.createObjectNode().put("index", k);
        if (first) {
            call.put("id", "call_" + id.substring(id.length() - 16) + "_" + index + "_" + k).put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (first) {
            function.put("name", name);
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

    /** One choice of an answer in one body; {@code text} is what was generated. */
    ObjectNode choice(int index, String text, List<LogprobsJson.Logged> logged, AnswerDrain.Outcome outcome) {
        ObjectNode choice = json.createObjectNode().put("index", index);
        boolean called = false;
        if (chat) {
            AnswerSplit.Piece parts = reasoning.whole(text);
            ToolCallFormat.Parsed answer = switch (tools) {
                case ToolChoice named -> new ToolCallFormat.Parsed(null, List.of(new ChatTemplate.ToolCall(named.name(), parts.content())));
                case AutoTools auto -> auto.parse(format, parts.content());
                case null -> ToolCallFormat.Parsed.message(parts.content());
            };
            ObjectNode message = choice.putObject("message").put("role", "assistant").put("content", answer.content());
            if (!parts.reasoning().isEmpty()) {
                message.put("reasoning_content", parts.reasoning());
            }
            if (!answer.calls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (int k = 0; k < answer.calls().size(); k++) {
                    ObjectNode call = call(index, k, answer.calls().get(k).name(), answer.calls().get(k).arguments(), true);
                    call.remove("index"); // a streamed piece's field only
                    calls.add(call);
                }
                called = true;
            }
        } else {
            choice.put("text", text);
        }
        choice.set("logprobs", logprobs.of(chat, logged, logprobsWanted));
        choice.put("finish_reason", finishReason(outcome.finishReason(), called));
        stopReason(choice, outcome);
        return choice;
    }

    /** vLLM's {@code stop_reason}: the stop string or stop token id that ended the choice, else null. */
    private static void stopReason(ObjectNode choice, AnswerDrain.Outcome outcome) {
        if (outcome.stopString() != null) {
            choice.put("stop_reason", outcome.stopString());
        } else if (outcome.stopToken() >= 0) {
            choice.put("stop_reason", outcome.stopToken());
        } else {
            choice.putNull("stop_reason");
        }
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
        if (tools instanceof ToolChoice) {
            delta.putNull("content");
        } else {
            delta.put("content", "");
        }
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return body;
    }

    /** A streamed piece of choice {@code index}'s text (a chat message's content, or a completion's text). */
    ObjectNode textChunk(int index, String text, List<LogprobsJson.Logged> logged) {
        ObjectNode body = chunkBase();
        ObjectNode choice = piece(body, index);
        if (chat) {
            choice.putObject("delta").put("content", text);
        } else {
            choice.put("text", text);
        }
        ended(choice, logged, null);
        return body;
    }

    /** A streamed piece of choice {@code index}'s reasoning ({@code reasoning_content}). */
    ObjectNode reasoningChunk(int index, String reasoning, List<LogprobsJson.Logged> logged) {
        ObjectNode body = chunkBase();
        ObjectNode choice = piece(body, index);
        choice.putObject("delta").put("reasoning_content", reasoning);
        ended(choice, logged, null);
        return body;
    }

    /**
     * A streamed piece of choice {@code index}'s call {@code k}: {@code first} carries the call's id and name with the
     * first of its arguments; the pieces' arguments add up to the call's.
     */
    ObjectNode callChunk(int index, int k, String name, String arguments, List<LogprobsJson.Logged> logged, boolean first) {
        ObjectNode body = chunkBase();
        ObjectNode choice = piece(body, index);
        choice.putObject("delta").putArray("tool_calls").add(call(index, k, name, arguments, first));
        ended(choice, logged, null);
        return body;
    }

    /** The last piece of choice {@code index}: no text, the reason it finished (and vLLM's {@code stop_reason}). */
    ObjectNode finishChunk(int index, String finishReason, AnswerDrain.Outcome outcome) {
        ObjectNode body = chunkBase();
        ObjectNode choice = piece(body, index);
        if (chat) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        ended(choice, List.of(), finishReason);
        stopReason(choice, outcome);
        return body;
    }

    private static ObjectNode piece(ObjectNode body, int index) {
        return body.putArray("choices").addObject().put("index", index);
    }

    /** Completes a streamed choice with its log-probabilities and finish reason. */
    private void ended(ObjectNode choice, List<LogprobsJson.Logged> logged, String finishReason) {
        choice.set("logprobs", logprobs.of(chat, logged, logprobsWanted && !logged.isEmpty()));
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
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
