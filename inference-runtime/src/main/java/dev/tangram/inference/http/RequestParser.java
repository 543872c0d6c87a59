package dev.tangram.inference.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tangram.inference.sampling.JsonFormat;
import dev.tangram.inference.sampling.JsonSchema;
import dev.tangram.inference.sampling.LogitRules;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.sampling.TokenLogprobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and checks the JSON body of a completion or chat request; every problem is a 400 naming the field. */
public final class RequestParser {
    /** The most choices one request may ask for (OpenAI's limit). */
    static final int MAX_N = 128;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer", "tool");

    /** Strict about what JSON leaves open: a key given twice, or anything after the object, is a 400. */
    private final ObjectReader json;

    public RequestParser(ObjectMapper json) {
        this.json = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    public CompletionParams parse(String body, boolean chat) {
        JsonNode root = object(body);
        UnsupportedFields.check(root, chat);
        String model = optString(root, "model");
        List<CompletionParams.Prompt> prompts = List.of();
        List<ChatTemplate.Message> messages = List.of();
        if (chat) {
            messages = messages(root);
        } else {
            prompts = prompts(root);
        }
        boolean echo = !chat && optBoolean(root, "echo");
        Tools tools = chat ? Tools.of(root) : null;
        String maxField = chat && root.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Integer maxTokens = optInt(root, maxField, echo ? 0 : 1); // 0: only score the echoed prompt
        Integer n = optInt(root, "n", 1);
        if (n != null && n > MAX_N) {
            throw ApiError.invalid("'n' must be at most " + MAX_N + ", got " + n, "n");
        }
        Double temperature = optNumber(root, "temperature", 0, 2);
        Double topP = optNumber(root, "top_p", 0, 1);
        if (topP != null && topP == 0) {
            throw ApiError.invalid("'top_p' must be greater than 0", "top_p");
        }
        Integer topK = optInt(root, "top_k", -1);
        Double minP = optNumber(root, "min_p", 0, 1);
        Long seed = null;
        JsonNode s = root.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiError.invalid("'seed' must be an integer", "seed");
            }
            seed = s.longValue();
        }
        boolean stream = optBoolean(root, "stream");
        boolean includeUsage = false;
        JsonNode so = root.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) {
                throw ApiError.invalid("'stream_options' must be an object", "stream_options");
            }
            includeUsage = optBoolean(so, "include_usage");
        }
        JsonNode skip = root.get("skip_special_tokens");
        // as vLLM's tool parsers do, the model's own call markers are kept where it may write calls
        boolean skipSpecial = skip == null || skip.isNull() ? !(tools instanceof AutoTools) : optBoolean(root, "skip_special_tokens");
        Set<Integer> stopTokenIds = stopTokenIds(root);
        TextRules text = new TextRules(stops(root), stopTokenIds, optBoolean(root, "include_stop_str_in_output"), skipSpecial);
        boolean ignoreEos = optBoolean(root, "ignore_eos");
        SamplingParams sampling = new SamplingParams(temperature == null ? 1f : temperature.floatValue(),
                topK == null || topK < 0 ? 0 : topK, topP == null ? 1f : topP.floatValue(),
                seed == null ? System.nanoTime() : seed, rules(root, tools, stopTokenIds), minP == null ? 0f : minP.floatValue());
        return new CompletionParams(chat, model, prompts, messages, n == null ? 1 : n, maxTokens, sampling, stream, includeUsage, text,
                ignoreEos, logprobs(root, chat), optBoolean(root, "return_tokens_as_token_ids"), echo, tools,
                chat ? enableThinking(root) : null, chat ? reasoningFormat(root) : null, chat ? reasoningEffort(root) : null);
    }

    /** llama.cpp's {@code reasoning_format}: "auto", "deepseek" or "none", or null where the request has none. */
    static ReasoningFormat reasoningFormat(JsonNode root) {
        JsonNode v = root.get("reasoning_format");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.invalid("'reasoning_format' must be a string: auto, deepseek or none", "reasoning_format");
        }
        try {
            return ReasoningFormat.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("'reasoning_format': " + e.getMessage(), "reasoning_format");
        }
    }

    /**
     * OpenAI's {@code reasoning_effort}, or where it is absent {@code chat_template_kwargs.reasoning_effort} (as llama.cpp
     * passes it to gpt-oss's template): low, medium or high; null where the request has neither. Only a Harmony model's
     * prompt states it; other models' templates have no such setting.
     */
    static String reasoningEffort(JsonNode root) {
        JsonNode v = root.get("reasoning_effort");
        String param = "reasoning_effort";
        if ((v == null || v.isNull()) && root.path("chat_template_kwargs").isObject()) {
            v = root.get("chat_template_kwargs").get("reasoning_effort");
            param = "chat_template_kwargs.reasoning_effort";
        }
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || !HarmonyPrompt.EFFORTS.contains(v.asText())) {
            throw ApiError.invalid("'" + param + "' must be \"low\", \"medium\" or \"high\", got " + v, param);
        }
        return v.asText();
    }

    /**
     * vLLM's {@code chat_template_kwargs.enable_thinking}: a boolean, or null where the request has no such key. The
     * object's other keys are the template's own arguments, which a server that does not run Jinja cannot honour; they are
     * ignored, as fields outside OpenAI's API are.
     */
    static Boolean enableThinking(JsonNode root) {
        JsonNode kwargs = root.get("chat_template_kwargs");
        if (kwargs == null || kwargs.isNull()) {
            return null;
        }
        if (!kwargs.isObject()) {
            throw ApiError.invalid("'chat_template_kwargs' must be an object", "chat_template_kwargs");
        }
        JsonNode v = kwargs.get("enable_thinking");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid("'chat_template_kwargs.enable_thinking' must be a boolean", "chat_template_kwargs.enable_thinking");
        }
        return v.booleanValue();
    }

    /**
     * OpenAI's penalties and {@code logit_bias}; vLLM's {@code repetition_penalty} and {@code min_tokens} (which holds off
     * {@code stop_token_ids} as well as the end tokens); and the JSON the answer must be: {@code response_format}'s, or the
     * called function's arguments.
     */
    private static LogitRules rules(JsonNode root, Tools tools, Set<Integer> stopTokenIds) {
        Double presence = optNumber(root, "presence_penalty", -2, 2);
        Double frequency = optNumber(root, "frequency_penalty", -2, 2);
        Double repetition = optNumber(root, "repetition_penalty", 0, Float.MAX_VALUE);
        if (repetition != null && repetition == 0) {
            throw ApiError.invalid("'repetition_penalty' must be greater than 0 (1 applies no penalty)", "repetition_penalty");
        }
        Integer minTokens = optInt(root, "min_tokens", 0); // checked against max_tokens once its default is known
        return new LogitRules(presence == null ? 0f : presence.floatValue(), frequency == null ? 0f : frequency.floatValue(),
                repetition == null ? 1f : repetition.floatValue(), logitBias(root), minTokens == null ? 0 : minTokens, json(root, tools),
                stopTokenIds);
    }

    /**
     * {@code response_format}: {@code text} asks for nothing; {@code json_object} for any JSON object; {@code json_schema}
     * for a document that follows {@code json_schema.schema} (the part of JSON Schema that {@link JsonSchema} holds
     * output to; anything more is a 400 naming the keyword).
     */
    private static JsonFormat json(JsonNode root, Tools tools) {
        JsonNode f = root.get("response_format");
        if (tools instanceof ToolChoice tool) {
            if (f != null && !f.isNull() && !"text".equals(f.path("type").asText())) {
                throw ApiError.invalid("'response_format' and a function call in 'tool_choice' cannot both shape the answer", "response_format");
            }
            return new JsonFormat(tool.parameters()); // the answer is the function's arguments
        }
        if (f == null || f.isNull()) {
            return null;
        }
        String type = f.isObject() && f.get("type") != null && f.get("type").isTextual() ? f.get("type").asText() : null;
        if (type == null) {
            throw ApiError.invalid("'response_format' must be an object with a 'type'", "response_format");
        }
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonFormat.ANY_OBJECT;
            case "json_schema" -> {
                JsonNode schema = f.path("json_schema").get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiError.invalid("'response_format.json_schema.schema' must be a JSON Schema object", "response_format");
                }
                try {
                    yield new JsonFormat(JsonSchema.compile(schema));
                } catch (IllegalArgumentException e) {
                    throw ApiError.invalid("'response_format.json_schema': " + e.getMessage(), "response_format");
                }
            }
            default -> throw ApiError.invalid("'response_format' type '" + type + "' is not supported; use 'text', 'json_object' or "
                    + "'json_schema'", "response_format");
        };
    }

    /** {@code logit_bias}: token ids (as the object's keys) to a bias between -100 and 100. */
    private static Map<Integer, Float> logitBias(JsonNode root) {
        JsonNode b = root.get("logit_bias");
        if (b == null || b.isNull()) {
            return Map.of();
        }
        if (!b.isObject()) {
            throw ApiError.invalid("'logit_bias' must be an object from token ids to biases", "logit_bias");
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                id = -1;
            }
            if (id < 0) {
                throw ApiError.invalid("'logit_bias' keys must be token ids, got \"" + e.getKey() + "\"", "logit_bias");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.doubleValue() >= -100 && v.doubleValue() <= 100)) {
                throw ApiError.invalid("'logit_bias' values must be numbers between -100 and 100, got " + v + " for token " + id, "logit_bias");
            }
            out.put(id, v.floatValue());
        }
        return out;
    }

    /**
     * How many alternatives to report with each token's log-probability, or -1 for none: the completions API's
     * {@code logprobs} (a number), or the chat API's {@code logprobs} (true or false) with {@code top_logprobs}.
     */
    private static int logprobs(JsonNode root, boolean chat) {
        if (!chat) {
            Integer n = optInt(root, "logprobs", 0);
            if (n != null && n > TokenLogprobs.MAX_TOP) {
                throw ApiError.invalid("'logprobs' must be at most " + TokenLogprobs.MAX_TOP + ", got " + n, "logprobs");
            }
            return n == null ? -1 : n;
        }
        boolean wanted = optBoolean(root, "logprobs");
        Integer top = optInt(root, "top_logprobs", 0);
        if (top != null && top > TokenLogprobs.MAX_TOP) {
            throw ApiError.invalid("'top_logprobs' must be at most " + TokenLogprobs.MAX_TOP + ", got " + top, "top_logprobs");
        }
        if (top != null && !wanted) {
            throw ApiError.invalid("'top_logprobs' needs 'logprobs' set to true", "top_logprobs");
        }
        return wanted ? (top == null ? 0 : top) : -1;
    }

    /**
     * The completions API's {@code prompt}: a string, an array of token ids, or several prompts as an array of strings or
     * of token id arrays.
     */
    private static List<CompletionParams.Prompt> prompts(JsonNode root) {
        JsonNode p = root.get("prompt");
        if (p == null || p.isNull()) {
            throw ApiError.invalid("'prompt' is required", "prompt");
        }
        if (p.isTextual()) {
            return List.of(new CompletionParams.Prompt(p.asText(), null));
        }
        String shape = "'prompt' must be a string, an array of token ids, or an array of strings or of token id arrays";
        if (!p.isArray() || p.isEmpty()) {
            throw ApiError.invalid(shape, "prompt");
        }
        if (allInts(p)) {
            return List.of(new CompletionParams.Prompt(null, tokenIds(p)));
        }
        List<CompletionParams.Prompt> out = new ArrayList<>();
        for (JsonNode one : p) {
            if (one.isTextual()) {
                out.add(new CompletionParams.Prompt(one.asText(), null));
            } else if (one.isArray() && !one.isEmpty() && allInts(one)) {
                out.add(new CompletionParams.Prompt(null, tokenIds(one)));
            } else {
                throw ApiError.invalid(shape, "prompt");
            }
        }
        return out;
    }

    private static int[] tokenIds(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).intValue();
        }
        return ids;
    }

    /** The body as a JSON object, read strictly; anything else is a 400. */
    JsonNode object(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid("the body must be a JSON object", null);
        }
        return root;
    }

    static List<ChatTemplate.Message> messages(JsonNode root) {
        JsonNode m = root.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ApiError.invalid("'messages' must be a non-empty array", "messages");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode msg = m.get(i);
            String where = "messages[" + i + "]";
            if (!msg.isObject()) {
                throw ApiError.invalid(where + " must be an object", where);
            }
            JsonNode role = msg.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw ApiError.invalid(where + ".role must be one of " + ROLES.stream().sorted().toList(), where + ".role");
            }
            JsonNode content = msg.get("content");
            if ((content == null || content.isNull()) && !role.asText().equals("assistant")) {
                // only an assistant turn (one that called tools) may come without content
                throw ApiError.invalid(where + ".content is required for role '" + role.asText() + "'", where + ".content");
            }
            String text = content(content, where + ".content");
            List<ChatTemplate.ToolCall> calls = role.asText().equals("assistant") && msg.path("tool_calls").isArray()
                    ? toolCalls(msg.get("tool_calls"), where + ".tool_calls") : List.of();
            out.add(new ChatTemplate.Message(role.asText(), text, calls, reasoning(msg, role.asText(), where)));
        }
        return out;
    }

    /** An assistant turn's {@code reasoning_content} (as this server returns it), or null where it has none. */
    private static String reasoning(JsonNode msg, String role, String where) {
        JsonNode r = msg.get("reasoning_content");
        if (r == null || r.isNull() || !role.equals("assistant")) {
            return null;
        }
        if (!r.isTextual()) {
            throw ApiError.invalid(where + ".reasoning_content must be a string", where + ".reasoning_content");
        }
        return r.asText();
    }

    /** An assistant turn's earlier function calls (the chat template shows them as the model's family writes calls). */
    private static List<ChatTemplate.ToolCall> toolCalls(JsonNode calls, String where) {
        List<ChatTemplate.ToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode f = calls.get(i).path("function");
            if (!f.path("name").isTextual() || !f.path("arguments").isTextual()) {
                throw ApiError.invalid(where + "[" + i + "] must be {\"type\": \"function\", \"function\": {\"name\": ..., \"arguments\": ...}}",
                        where);
            }
            out.add(new ChatTemplate.ToolCall(f.get("name").asText(), f.get("arguments").asText()));
        }
        return out;
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < c.size(); i++) {
                JsonNode part = c.get(i);
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.invalid(where + "[" + i + "] must be a {\"type\":\"text\",\"text\":...} part (only text is supported)", where);
                }
                b.append(part.get("text").asText());
            }
            return b.toString();
        }
        throw ApiError.invalid(where + " must be a string or an array of text parts", where);
    }

    private static List<String> stops(JsonNode root) {
        JsonNode s = root.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return s.asText().isEmpty() ? List.of() : List.of(s.asText());
        }
        if (s.isArray() && s.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode x : s) {
                if (!x.isTextual()) {
                    throw ApiError.invalid("'stop' must be a string or an array of up to 4 strings", "stop");
                }
                if (!x.asText().isEmpty()) {
                    out.add(x.asText());
                }
            }
            return out;
        }
        throw ApiError.invalid("'stop' must be a string or an array of up to 4 strings", "stop");
    }

    /** vLLM's {@code stop_token_ids}: token ids (checked against the vocabulary once the model is known). */
    private static Set<Integer> stopTokenIds(JsonNode root) {
        JsonNode s = root.get("stop_token_ids");
        if (s == null || s.isNull()) {
            return Set.of();
        }
        if (!s.isArray() || !allInts(s)) {
            throw ApiError.invalid("'stop_token_ids' must be an array of token ids", "stop_token_ids");
        }
        Set<Integer> out = new java.util.HashSet<>();
        for (JsonNode x : s) {
            if (x.intValue() < 0) {
                throw ApiError.invalid("'stop_token_ids' must be token ids (>= 0), got " + x.intValue(), "stop_token_ids");
            }
            out.add(x.intValue());
        }
        return out;
    }

    private static boolean allInts(JsonNode a) {
        for (JsonNode x : a) {
            if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                return false;
            }
        }
        return true;
    }

    static String optString(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.invalid("'" + field + "' must be a string", field);
        }
        return v.asText();
    }

    private static Integer optInt(JsonNode root, String field, int min) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.invalid("'" + field + "' must be an integer", field);
        }
        if (v.intValue() < min) {
            throw ApiError.invalid("'" + field + "' must be at least " + min + ", got " + v.intValue(), field);
        }
        return v.intValue();
    }

    private static Double optNumber(JsonNode root, String field, double min, double max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw ApiError.invalid("'" + field + "' must be a number", field);
        }
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw ApiError.invalid("'" + field + "' must be between " + min + " and " + max + ", got " + d, field);
        }
        return d;
    }

    static boolean optBoolean(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid("'" + field + "' must be a boolean", field);
        }
        return v.booleanValue();
    }
}
