package dev.tangram.inference.http;

import dev.tangram.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the HTTP side needs of the loaded model.
 *
 * @param name         the model id clients send and see
 * @param tokenizer    its tokenizer
 * @param chatTemplate how chat messages become a prompt
 * @param maxModelLen  the longest sequence served (prompt + completion)
 * @param cacheTokens  tokens the KV cache holds in all (one request cannot use more)
 * @param defaultSystemPrompt the system message the model's template puts first when a chat has none (Qwen2.5's "You are
 *                     Qwen, ..."), or null ({@link ChatTemplate#defaultSystemPrompt})
 * @param thinkingSwitch whether the template takes {@code enable_thinking} (Qwen3's, {@link ChatTemplate#hasThinkingSwitch})
 */
public record ServingModel(String name, Tokenizer tokenizer, ChatTemplate chatTemplate, int maxModelLen, long cacheTokens,
                           String defaultSystemPrompt, boolean thinkingSwitch) {
    /** Qwen3's template, given {@code enable_thinking} false: the answer starts after an empty reasoning block. */
    static final String NO_THINKING = "<think>\n\n</think>\n\n";

    /** A model whose template has no default system message and no thinking switch. */
    public ServingModel(String name, Tokenizer tokenizer, ChatTemplate chatTemplate, int maxModelLen, long cacheTokens) {
        this(name, tokenizer, chatTemplate, maxModelLen, cacheTokens, null, false);
    }

    /**
     * The prompt of a chat whose messages already have the template's default system message ({@link #withDefaultSystem},
     * which a caller applies before it adds functions to the system turn): the family's rendering, and, where the
     * template has the thinking switch, what Qwen3's template does with reasoning: earlier answers lose theirs
     * ({@link #withoutEarlierReasoning}), and where the request turned thinking off the prompt ends with an empty
     * reasoning block.
     */
    String render(List<ChatTemplate.Message> messages, Boolean enableThinking) {
        if (!thinkingSwitch) {
            return chatTemplate.render(messages);
        }
        String prompt = chatTemplate.render(withoutEarlierReasoning(messages));
        return Boolean.FALSE.equals(enableThinking) ? prompt + NO_THINKING : prompt;
    }

    /**
     * {@code messages} with each assistant answer before the last user message cut to what follows its last
     * {@code </think>}, newlines at the start dropped, as Qwen3's template shows earlier turns: a client that sends the
     * reasoning back (this server returns it in the content) does not have it read again.
     */
    static List<ChatTemplate.Message> withoutEarlierReasoning(List<ChatTemplate.Message> messages) {
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role().equals("user")) {
                lastUser = i;
            }
        }
        List<ChatTemplate.Message> out = new ArrayList<>(messages);
        for (int i = 0; i < lastUser; i++) {
            ChatTemplate.Message m = out.get(i);
            int end = m.content().lastIndexOf("</think>");
            if (m.role().equals("assistant") && end >= 0) {
                String answer = m.content().substring(end + "</think>".length()).replaceFirst("^\\n+", "");
                out.set(i, new ChatTemplate.Message("assistant", answer, m.toolCalls()));
            }
        }
        return out;
    }

    /** {@code messages} with the template's default system message first, where it has one and they have none. */
    List<ChatTemplate.Message> withDefaultSystem(List<ChatTemplate.Message> messages) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system") || m.role().equals("developer"));
        if (defaultSystemPrompt == null || hasSystem) {
            return messages;
        }
        List<ChatTemplate.Message> out = new ArrayList<>(messages);
        out.addFirst(new ChatTemplate.Message("system", defaultSystemPrompt));
        return out;
    }

    /** Throws the 404 {@code model_not_found} a request naming another model gets. */
    void requireServed(String asked) {
        if (!asked.equals(name)) {
            throw new ApiError(404, "invalid_request_error", "The model '" + asked + "' does not exist; this server serves '" + name + "'",
                    "model", "model_not_found");
        }
    }
}
