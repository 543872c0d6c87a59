package dev.tangram.inference.http;

import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * A chat as gpt-oss's own template writes it in Harmony messages (the template its GGUF files carry, which llama.cpp's
 * server runs):
 * <ul>
 *   <li>a system message: the model's identity, its knowledge cutoff, today's date, the reasoning effort, the valid
 *   channels, and, where functions are offered, that calls to them go to the commentary channel;</li>
 *   <li>a developer message where the chat starts with a system (or developer) message or offers functions: that
 *   message's text under {@code # Instructions}, the functions under {@code # Tools} ({@link HarmonyTools});</li>
 *   <li>each user message; each answer in the {@code final} channel; each call as a message to {@code functions.NAME}
 *   in the commentary channel, closed by {@code <|call|>}, after its reasoning in the analysis channel unless a later
 *   answer follows (the only reasoning shown again); each tool result as a message from {@code functions.NAME}, its
 *   text as a JSON string; later system messages are left out, as the template leaves them;</li>
 *   <li>then {@code <|start|>assistant}, where the model writes its channel.</li>
 * </ul>
 * Where the template writes only the first call of an answer and names every result after the last call, each call is
 * written here and the results are matched to the calls in order. An answer sent back with its Harmony markers in its
 * content (as {@code reasoning_format: none} returns it) is read back into reasoning and answer first.
 */
final class HarmonyPrompt {
    /** The reasoning efforts gpt-oss knows. */
    static final Set<String> EFFORTS = Set.of("low", "medium", "high");
    static final String DEFAULT_EFFORT = "medium";
    private static final String IDENTITY = "You are ChatGPT, a large language model trained by OpenAI.";
    private static final String CUTOFF = "2024-06";

    private HarmonyPrompt() {
    }

    /**
     * The prompt of {@code messages} (a message of the internal role "tools" holds the functions' namespace, as
     * {@link ToolCallFormat#prompt} adds it).
     */
    static String render(List<ChatTemplate.Message> messages, String effort, LocalDate today) {
        String tools = messages.stream().filter(m -> m.role().equals("tools")).map(ChatTemplate.Message::content).findFirst().orElse(null);
        List<ChatTemplate.Message> rest = new ArrayList<>(messages.stream().filter(m -> !m.role().equals("tools")).toList());
        StringBuilder b = new StringBuilder();
        b.append(HarmonySplit.START).append("system").append(HarmonySplit.MESSAGE).append(IDENTITY).append("\nKnowledge cutoff: ").append(CUTOFF)
                .append("\nCurrent date: ").append(today).append("\n\nReasoning: ").append(effort)
                .append("\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.");
        if (tools != null) {
            b.append("\nCalls to these tools must go to the commentary channel: 'functions'.");
        }
        b.append(HarmonySplit.END);
        String instructions = !rest.isEmpty() && Set.of("system", "developer").contains(rest.getFirst().role()) ? rest.removeFirst().content() : "";
        if (!instructions.isEmpty() || tools != null) {
            b.append(HarmonySplit.START).append("developer").append(HarmonySplit.MESSAGE);
            if (!instructions.isEmpty()) {
                b.append("# Instructions\n\n").append(instructions).append("\n\n");
            }
            if (tools != null) {
                b.append("# Tools\n\n").append(tools);
            }
            b.append(HarmonySplit.END);
        }
        Deque<String> called = new ArrayDeque<>();
        String lastCalled = null;
        for (int i = 0; i < rest.size(); i++) {
            ChatTemplate.Message m = rest.get(i);
            switch (m.role()) {
                case "user" -> message(b, "user", m.content());
                case "assistant" -> {
                    AnswerSplit.Piece parts = m.content().contains(HarmonySplit.CHANNEL) ? AnswerSplit.Mode.harmony(true, false).whole(m.content())
                            : new AnswerSplit.Piece(m.reasoning() == null ? "" : m.reasoning(), m.content());
                    called.clear();
                    if (m.toolCalls().isEmpty()) {
                        message(b, "assistant" + HarmonySplit.CHANNEL + "final", parts.content());
                        lastCalled = null;
                        continue;
                    }
                    // the reasoning that led to the calls, or the text sent with them, unless an answer follows later
                    String analysis = parts.reasoning().isEmpty() ? parts.content() : parts.reasoning();
                    if (!analysis.isEmpty() && !answerFollows(rest, i)) {
                        message(b, "assistant" + HarmonySplit.CHANNEL + "analysis", analysis);
                    }
                    b.append(ToolCallFormat.HARMONY.written(m.toolCalls()));
                    m.toolCalls().forEach(c -> called.add(c.name()));
                    lastCalled = m.toolCalls().getLast().name();
                }
                case "tool" -> {
                    String name = called.isEmpty() ? lastCalled : called.poll();
                    if (name == null) {
                        throw ApiError.invalid("a message of role 'tool' must follow an assistant message with 'tool_calls'", "messages");
                    }
                    message(b, "functions." + name + " to=assistant" + HarmonySplit.CHANNEL + "commentary", ToolCallFormat.quoted(m.content()));
                }
                default -> { } // a system message after the first
            }
        }
        return b.append(HarmonySplit.ASSISTANT).toString();
    }

    private static void message(StringBuilder b, String header, String text) {
        b.append(HarmonySplit.START).append(header).append(HarmonySplit.MESSAGE).append(text).append(HarmonySplit.END);
    }

    /** Whether an assistant message without calls comes after message {@code i}. */
    private static boolean answerFollows(List<ChatTemplate.Message> messages, int i) {
        return messages.subList(i + 1, messages.size()).stream().anyMatch(m -> m.role().equals("assistant") && m.toolCalls().isEmpty());
    }
}
