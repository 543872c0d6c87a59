package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes tokens' log-probabilities in the two shapes OpenAI's API uses: the completions API's parallel lists
 * ({@code tokens}, {@code token_logprobs}, {@code top_logprobs} as token-to-logprob objects, {@code text_offset}), and the
 * chat API's {@code content} list of {@code {token, logprob, bytes, top_logprobs}}. A token's text is its bytes read as
 * UTF-8, with U+FFFD where a character is split across tokens; the chat shape's {@code bytes} are exact. Since two tokens
 * can read as the same text (two halves of different characters both read U+FFFD), a request can ask, as vLLM's
 * {@code return_tokens_as_token_ids} does, for each token to be named {@code "token_id:N"} instead.
 */
final class LogprobsJson {
    /** What stands for a log-probability of minus infinity, which JSON cannot write (vLLM's choice too). */
    static final float FLOOR = -9999f;

    /** A token's log-probabilities and where its text starts in the completion's text. */
    record Logged(TokenLogprobs logprobs, int textOffset) {
    }

    private final ObjectMapper json;
    private final Tokenizer tokenizer;
    private final boolean tokensAsIds;

    LogprobsJson(ObjectMapper json, Tokenizer tokenizer, boolean tokensAsIds) {
        this.json = json;
        this.tokenizer = tokenizer;
        this.tokensAsIds = tokensAsIds;
    }

    /**
     * The completions API's {@code logprobs} object; each {@code top_logprobs} entry holds the drawn token too. An echoed
     * prompt's first token, which nothing predicts, has null for its log-probability and its alternatives.
     */
    ObjectNode completion(List<Logged> tokens) {
        ObjectNode out = json.createObjectNode();
        ArrayNode text = out.putArray("tokens");
        ArrayNode logprobs = out.putArray("token_logprobs");
        ArrayNode top = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        for (Logged t : tokens) {
            TokenLogprobs lp = t.logprobs();
            String token = text(lp.token());
            text.add(token);
            offsets.add(t.textOffset());
            if (lp.isUnscored()) { // an echoed prompt's first token
                logprobs.addNull();
                top.addNull();
                continue;
            }
            logprobs.add(finite(lp.logprob()));
            ObjectNode alternatives = top.addObject();
            alternatives.put(token, finite(lp.logprob()));
            for (int i = 0; i < lp.top().length; i++) {
                String s = text(lp.top()[i]);
                if (!alternatives.has(s)) { // two tokens can read as the same text: the likelier keeps the key
                    alternatives.put(s, finite(lp.topLogprobs()[i]));
                }
            }
        }
        return out;
    }

    /** The chat API's {@code logprobs} object: {@code {"content": [...]}}. */
    ObjectNode chat(List<Logged> tokens) {
        ObjectNode out = json.createObjectNode();
        ArrayNode content = out.putArray("content");
        for (Logged t : tokens) {
            TokenLogprobs lp = t.logprobs();
            ObjectNode entry = entry(lp.token(), lp.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (int i = 0; i < lp.top().length; i++) {
                top.add(entry(lp.top()[i], lp.topLogprobs()[i]));
            }
            content.add(entry);
        }
        return out;
    }

    /** The shape for this API, or JSON null where log-probabilities were not asked for. */
    JsonNode of(boolean chat, List<Logged> tokens, boolean wanted) {
        if (!wanted) {
            return json.nullNode();
        }
        return chat ? chat(tokens) : completion(tokens);
    }

    private ObjectNode entry(int token, float logprob) {
        ObjectNode e = json.createObjectNode().put("token", text(token)).put("logprob", finite(logprob));
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : tokenizer.tokenBytes(token)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    private String text(int token) {
        if (tokensAsIds) {
            return "token_id:" + token;
        }
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }

    private static float finite(float logprob) {
        return Float.isFinite(logprob) ? logprob : FLOOR;
    }
}
