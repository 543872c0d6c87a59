package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * vLLM's {@code POST /tokenize} and {@code POST /detokenize}: the served model's tokenizer over HTTP, so that a client
 * can count a prompt's tokens against {@code max_model_len} before sending it.
 *
 * <ul>
 *   <li>{@code /tokenize}: {@code prompt} (text), or chat {@code messages} rendered with the model's chat template;
 *       {@code add_special_tokens} (default true) adds the BOS token. Answers {@code {"count", "max_model_len", "tokens"}}.
 *   <li>{@code /detokenize}: {@code tokens} (ids). Answers {@code {"prompt"}}.
 * </ul>
 * Both take an optional {@code model}, which must be the served one.
 */
final class TokenizeApi {
    private final ObjectMapper json;
    private final RequestParser parser;

    TokenizeApi(ObjectMapper json, RequestParser parser) {
        this.json = json;
        this.parser = parser;
    }

    ObjectNode tokenize(ServingModel model, String body) {
        JsonNode root = requestFor(model, body);
        String text;
        if (root.has("messages")) {
            text = model.render(model.withDefaultSystem(RequestParser.messages(root)), RequestParser.enableThinking(root),
                    RequestParser.reasoningEffort(root));
        } else {
            JsonNode p = root.get("prompt");
            if (p == null || !p.isTextual()) {
                throw ApiError.invalid("'prompt' (a string) or 'messages' is required", "prompt");
            }
            text = p.asText();
        }
        JsonNode special = root.get("add_special_tokens");
        boolean addBos = special == null || special.isNull() || RequestParser.optBoolean(root, "add_special_tokens");
        int[] tokens = model.tokenizer().encode(text, addBos);
        ObjectNode out = json.createObjectNode().put("count", tokens.length).put("max_model_len", model.maxModelLen());
        ArrayNode ids = out.putArray("tokens");
        for (int t : tokens) {
            ids.add(t);
        }
        return out;
    }

    ObjectNode detokenize(ServingModel model, String body) {
        JsonNode root = requestFor(model, body);
        JsonNode tokens = root.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw ApiError.invalid("'tokens' (an array of token ids) is required", "tokens");
        }
        int vocab = model.tokenizer().vocabSize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.intValue() < 0 || t.intValue() >= vocab) {
                throw ApiError.invalid("tokens[" + i + "] = " + t + " is not a token id of this model (0.." + (vocab - 1) + ")", "tokens");
            }
            ids[i] = t.intValue();
        }
        return json.createObjectNode().put("prompt", model.tokenizer().decode(ids));
    }

    /** The body as a JSON object naming no other model than the served one. */
    private JsonNode requestFor(ServingModel model, String body) {
        JsonNode root = parser.object(body);
        String asked = RequestParser.optString(root, "model");
        if (asked != null) {
            model.requireServed(asked);
        }
        return root;
    }
}
