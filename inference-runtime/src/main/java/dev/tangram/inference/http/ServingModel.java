package dev.tangram.inference.http;

import dev.tangram.inference.tokenizer.Tokenizer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 * @param thinking     what the template does with reasoning ({@link ChatTemplate#thinking})
 * @param reasoningFormat where a reasoning model's reasoning goes when a request does not say ({@code reasoning_format})
 */
public record ServingModel(String name, Tokenizer tokenizer, ChatTemplate chatTemplate, int maxModelLen, long cacheTokens,
                           String defaultSystemPrompt, ChatTemplate.Thinking thinking, ReasoningFormat reasoningFormat) {

    /** A model whose template has no default system message and writes no reasoning. */
    public ServingModel(String name, Tokenizer tokenizer, ChatTemplate chatTemplate, int maxModelLen, long cacheTokens) {
        this(name, tokenizer, chatTemplate, maxModelLen, cacheTokens, null, ChatTemplate.NO_THINKING, ReasoningFormat.AUTO);
    }

    /**
     * The prompt of a chat whose messages already have the template's default system message ({@link #withDefaultSystem},
     * which a caller applies before it adds functions to the system turn): the family's rendering; for a reasoning model's
     * template, its answers shown with or without their reasoning as the template shows them ({@link #reasoningShown}),
     * and after the assistant header what the template writes there: an open reasoning block, or, where the request turned
     * thinking off and the template reads {@code enable_thinking}, the template's text for that. A Harmony model's prompt
     * states {@code effort} (null: medium) and today's date.
     */
    String render(List<ChatTemplate.Message> messages, Boolean enableThinking, String effort) {
        if (chatTemplate == ChatTemplate.HARMONY) {
            return HarmonyPrompt.render(messages, effort == null ? HarmonyPrompt.DEFAULT_EFFORT : effort, LocalDate.now());
        }
        if (!thinking.reasons()) {
            // a client's reasoning_content is not shown to a model whose template writes none
            return chatTemplate.render(messages.stream().map(m -> new ChatTemplate.Message(m.role(), m.content(), m.toolCalls())).toList());
        }
        String prompt = chatTemplate.render(reasoningShown(messages));
        if (thinking.switchable() && Boolean.FALSE.equals(enableThinking)) {
            return prompt + thinking.noThinking();
        }
        return thinking.opens() ? prompt + ChatTemplate.Thinking.OPEN : prompt;
    }

    /**
     * Whether a chat answer's reasoning is split from its content ({@code reasoning_content}): the model's template writes
     * reasoning blocks (or Harmony's analysis messages) and the request's {@code reasoning_format}, or this server's where
     * it has none, is {@code auto}.
     */
    boolean splitsReasoning(ReasoningFormat asked) {
        return (thinking.reasons() || chatTemplate == ChatTemplate.HARMONY) && (asked == null ? reasoningFormat : asked) == ReasoningFormat.AUTO;
    }

    /**
     * The control tokens whose text a Harmony answer keeps even where special tokens are skipped, for {@link HarmonySplit}
     * to read its messages by (llama.cpp keeps the same ones); none for other templates.
     */
    Set<Integer> structuralTokens() {
        if (chatTemplate != ChatTemplate.HARMONY) {
            return Set.of();
        }
        Set<Integer> ids = new HashSet<>();
        for (String text : List.of(HarmonySplit.CHANNEL, HarmonySplit.CONSTRAIN, HarmonySplit.MESSAGE, HarmonySplit.START, HarmonySplit.END)) {
            int[] t = tokenizer.encode(text, false);
            if (t.length == 1 && !tokenizer.isText(t[0])) {
                ids.add(t[0]);
            }
        }
        return ids;
    }

    /**
     * {@code messages} with each assistant answer as a reasoning model's template shows it. Its reasoning is its
     * {@code reasoning_content}, or else what its content holds between {@code <think>} and the first {@code </think>}
     * (the answer then being what follows the last {@code </think>}). Qwen3's template ({@code showsRecent}) shows the
     * reasoning of an answer after the last user message (the last message's even when empty; {@link ChatTemplate#render}
     * writes it in a {@code <think>} block) and leaves it out of earlier ones; QwQ's and R1's leave it out of all. The
     * answers returned carry reasoning only where it is to be shown.
     */
    List<ChatTemplate.Message> reasoningShown(List<ChatTemplate.Message> messages) {
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role().equals("user")) {
                lastUser = i;
            }
        }
        List<ChatTemplate.Message> out = new ArrayList<>(messages);
        for (int i = 0; i < out.size(); i++) {
            ChatTemplate.Message m = out.get(i);
            if (!m.role().equals("assistant")) {
                continue;
            }
            String content = m.content();
            String reasoning = m.reasoning();
            int close = content.lastIndexOf(ReasoningSplit.CLOSE);
            if (close >= 0 && (reasoning == null || !thinking.showsRecent())) {
                // Qwen3's reads the reasoning out of the content only where reasoning_content is absent
                String before = trimNewlines(content.substring(0, content.indexOf(ReasoningSplit.CLOSE)), false, true);
                int open = before.lastIndexOf(ReasoningSplit.OPEN);
                reasoning = trimNewlines(open < 0 ? before : before.substring(open + ReasoningSplit.OPEN.length()), true, false);
                content = content.substring(close + ReasoningSplit.CLOSE.length());
                // ChatML's (Qwen3's, QwQ's) drop the newlines after </think>; R1's keeps them
                content = chatTemplate == ChatTemplate.CHATML ? trimNewlines(content, true, false) : content;
            }
            boolean shown = thinking.showsRecent() && i > lastUser && (i == out.size() - 1 || reasoning != null && !reasoning.isEmpty());
            out.set(i, shown ? new ChatTemplate.Message("assistant", trimNewlines(content, true, false), m.toolCalls(),
                    trimNewlines(reasoning == null ? "" : reasoning, true, true))
                    : new ChatTemplate.Message("assistant", content, m.toolCalls()));
        }
        return out;
    }

    /** {@code text} without the newlines at its start ({@code leading}) and at its end ({@code trailing}), as Jinja's strip. */
    private static String trimNewlines(String text, boolean leading, boolean trailing) {
        int from = 0;
        int to = text.length();
        while (leading && from < to && text.charAt(from) == '\n') {
            from++;
        }
        while (trailing && to > from && text.charAt(to - 1) == '\n') {
            to--;
        }
        return text.substring(from, to);
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
