package dev.tangram.inference.http;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns chat messages into one prompt. GGUF files carry a Jinja template; rather than run Jinja, the server recognises
 * the template family by its markers and renders that family's layout: Llama 3 headers, ChatML, Mistral's [INST] with
 * its tool markers, Llama 2 [INST], Granite 3's roles, DeepSeek R1's full-width markers, Gemma's turns, Phi-3's, GLM-4's,
 * EXAONE 4's, gpt-oss's Harmony messages, or a plain "role: content" transcript for anything else.
 */
public enum ChatTemplate {
    LLAMA3, CHATML, MISTRAL, MISTRAL_TEKKEN, MISTRAL_V7, LLAMA2, GRANITE, DEEPSEEK, GEMMA, PHI3, GLM4, EXAONE4, HARMONY, PLAIN;

    /** DeepSeek R1's turn markers (full-width bars, and U+2581 for the spaces). */
    static final String DEEPSEEK_USER = "<\uFF5CUser\uFF5C>";
    static final String DEEPSEEK_ASSISTANT = "<\uFF5CAssistant\uFF5C>";
    static final String DEEPSEEK_END = "<\uFF5Cend\u2581of\u2581sentence\uFF5C>";
    private static final String DEEPSEEK_OUTPUTS_BEGIN = "<\uFF5Ctool\u2581outputs\u2581begin\uFF5C>";
    private static final String DEEPSEEK_OUTPUTS_END = "<\uFF5Ctool\u2581outputs\u2581end\uFF5C>";
    private static final String DEEPSEEK_OUTPUT_BEGIN = "<\uFF5Ctool\u2581output\u2581begin\uFF5C>";
    private static final String DEEPSEEK_OUTPUT_END = "<\uFF5Ctool\u2581output\u2581end\uFF5C>";

    /**
     * One chat message.
     *
     * @param toolCalls the functions an assistant turn called (empty for every other turn)
     * @param reasoning an assistant turn's {@code reasoning_content}, as this server (and llama.cpp's) returns it, or null;
     *                  {@link #render} shows it in a {@code <think>} block before the turn's content (ChatML), or in the
     *                  analysis channel before the turn's calls (Harmony), so a caller sets it only where the model's
     *                  template shows it ({@link ServingModel#render})
     */
    public record Message(String role, String content, List<ToolCall> toolCalls, String reasoning) {
        public Message(String role, String content) {
            this(role, content, List.of());
        }

        public Message(String role, String content, List<ToolCall> toolCalls) {
            this(role, content, toolCalls, null);
        }
    }

    /** A function call: its name and its arguments as JSON text. */
    public record ToolCall(String name, String arguments) {
    }

    /** The family a GGUF {@code tokenizer.chat_template} belongs to (PLAIN when absent or unknown). */
    public static ChatTemplate detect(String jinja) {
        if (jinja == null) {
            return PLAIN;
        }
        if (jinja.contains("<|start_header_id|>")) {
            return LLAMA3;
        }
        if (jinja.contains("[|system|]") && jinja.contains("[|assistant|]") && jinja.contains("[|endofturn|]") && jinja.contains("[|tool|]")) {
            return EXAONE4; // EXAONE 4.0 (llama.cpp's test; EXAONE 3's template, without [|tool|], is not this)
        }
        if (jinja.contains("<|start|>") && jinja.contains("<|channel|>")) {
            return HARMONY; // gpt-oss's Harmony messages (llama.cpp's test for gpt-oss's template)
        }
        if (jinja.contains("[gMASK]<sop>")) {
            return GLM4; // GLM-4: [gMASK]<sop>, then <|role|>\ncontent turns (llama.cpp's test and writer)
        }
        if (jinja.contains("<|im_start|>")) {
            return CHATML;
        }
        if (jinja.contains("[SYSTEM_PROMPT]")) {
            return MISTRAL_V7; // Mistral's v7 turns, the system prompt in a block of its own (Mistral Small 3, Magistral, Devstral)
        }
        if (jinja.contains("[AVAILABLE_TOOLS]") || jinja.contains("[TOOL_CALLS]")) {
            // [INST] turns, and Mistral's own markers for tools (Mistral 7B v0.3 and later); Mistral NeMo's template writes
            // its markers as "[INST]", in double quotes (llama.cpp's test for v3-tekken)
            return jinja.contains("\"[INST]\"") ? MISTRAL_TEKKEN : MISTRAL;
        }
        if (jinja.contains(DEEPSEEK_ASSISTANT) && jinja.contains(DEEPSEEK_USER) && jinja.contains(DEEPSEEK_END)) {
            return DEEPSEEK; // DeepSeek R1 and its distilled Qwen and Llama models
        }
        if (jinja.contains("<start_of_turn>")) {
            return GEMMA; // Gemma 1-3: <start_of_turn>user\n...<end_of_turn>\n, the assistant's turns as "model"
        }
        if (jinja.contains("<|assistant|>") && jinja.contains("<|end|>")) {
            return PHI3; // Phi-3 and 3.5: <|role|>\ncontent<|end|>\n
        }
        if (jinja.contains("<|start_of_role|>")) {
            return GRANITE; // IBM Granite 3: <|start_of_role|>role<|end_of_role|>content<|end_of_text|>
        }
        if (jinja.contains("[INST]")) {
            return LLAMA2;
        }
        return PLAIN;
    }

    /** A ChatML system turn written out whole in a template's string literal, its text captured. */
    private static final Pattern DEFAULT_SYSTEM = Pattern.compile("'<\\|im_start\\|>system\\\\n([^'{}<]+)<\\|im_end\\|>\\\\n'");

    /**
     * The system message a ChatML template writes when a chat has none, such as Qwen2.5's {@code '<|im_start|>system\nYou
     * are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n'}: a string literal holding a whole
     * system turn of fixed text (a turn built from the messages' content is not one). Empty for other templates.
     */
    public static Optional<String> defaultSystemPrompt(String jinja) {
        if (jinja == null || detect(jinja) != CHATML) {
            return Optional.empty();
        }
        Matcher m = DEFAULT_SYSTEM.matcher(jinja);
        return m.find() ? Optional.of(m.group(1).replace("\\n", "\n")) : Optional.empty();
    }

    /**
     * How a template handles a reasoning model's {@code <think>} blocks (a template without them: {@link #NO_THINKING}).
     *
     * @param reasons  the template writes {@code <think>} blocks: the model reasons before it answers
     * @param switchable the template reads Qwen3's {@code enable_thinking}
     * @param opens    the prompt ends inside a reasoning block ({@code <think>\n} after the assistant header), so the
     *                 model's text starts with its reasoning, not with {@code <think>}
     * @param noThinking what the template writes after the assistant header where {@code enable_thinking} is false (in place
     *                 of the open block, where it opens one)
     * @param showsRecent the template shows the reasoning of the answers after the last user message (Qwen3's, which reads
     *                 {@code reasoning_content}); every other answer, and every answer where this is false, is shown without
     *                 its reasoning
     */
    public record Thinking(boolean reasons, boolean switchable, boolean opens, String noThinking, boolean showsRecent) {
        /** Qwen3's closed empty reasoning block. */
        static final String EMPTY_BLOCK = "<think>\n\n</think>\n\n";
        /** The generation prompt of a template that opens reasoning. */
        static final String OPEN = "<think>\n";
    }

    /** A template that writes no reasoning blocks. */
    public static final Thinking NO_THINKING = new Thinking(false, false, false, "", false);

    /**
     * What a template does with reasoning ({@link Thinking}), read from the Jinja text of a ChatML or DeepSeek template
     * that writes {@code <think>}: it is switchable where it reads {@code enable_thinking}; it opens a reasoning block where
     * a string literal ending in {@code <think>\n} follows its last mention of {@code add_generation_prompt} (QwQ, the R1
     * distills, Qwen3.5; Qwen3's own literal there is its closed empty block); where thinking is switched off it writes
     * Qwen3's empty block where it has that literal (Qwen3, Qwen3.5), else closes the block it opens at once (as llama.cpp's
     * own QwQ and R1 templates do). Qwen3's shows recent answers' reasoning; QwQ's and R1's show none.
     */
    public static Thinking thinking(String jinja) {
        ChatTemplate family = detect(jinja);
        if (jinja == null || !jinja.contains("<think>") || !(family == CHATML || family == DEEPSEEK)) {
            return NO_THINKING;
        }
        int generation = jinja.lastIndexOf("add_generation_prompt");
        boolean opens = generation >= 0 && jinja.indexOf("<think>\\n'", generation) >= 0;
        boolean emptyBlock = jinja.contains("<think>\\n\\n</think>\\n\\n");
        return new Thinking(true, jinja.contains("enable_thinking"), opens,
                emptyBlock || !opens ? Thinking.EMPTY_BLOCK : Thinking.OPEN + "</think>",
                family == CHATML && jinja.contains("reasoning_content"));
    }

    /** The prompt text, ending where the assistant's reply begins (BOS is added by the tokenizer, not here). */
    public String render(List<Message> given) {
        // OpenAI's "developer" role is its newer name for "system"; no template here knows it by that name
        List<Message> messages = given.stream()
                .map(m -> m.role().equals("developer") ? new Message("system", m.content(), m.toolCalls(), m.reasoning()) : m).toList();
        StringBuilder b = new StringBuilder();
        switch (this) {
            case LLAMA3 -> {
                for (Message m : messages) {
                    // Llama 3.1 shows a tool's result under the role "ipython"
                    String role = m.role().equals("tool") ? "ipython" : m.role();
                    b.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n").append(withCalls(m).strip()).append("<|eot_id|>");
                }
                b.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            case CHATML -> {
                for (Message m : messages) {
                    if (m.role().equals("tool")) {
                        // as Qwen 2.5 shows a tool's result: a user turn wrapped in <tool_response> tags
                        b.append("<|im_start|>user\n<tool_response>\n").append(m.content()).append("\n</tool_response><|im_end|>\n");
                    } else {
                        b.append("<|im_start|>").append(m.role()).append('\n');
                        if (m.reasoning() != null) {
                            b.append(Thinking.OPEN).append(m.reasoning()).append("\n</think>\n\n");
                        }
                        b.append(withCalls(m)).append("<|im_end|>\n");
                    }
                }
                b.append("<|im_start|>assistant\n");
            }
            case LLAMA2 -> {
                String system = null;
                for (Message m : messages) {
                    switch (m.role()) {
                        case "system" -> system = m.content();
                        case "user" -> {
                            b.append("[INST] ");
                            if (system != null) {
                                b.append("<<SYS>>\n").append(system).append("\n<</SYS>>\n\n");
                                system = null;
                            }
                            b.append(m.content().strip()).append(" [/INST]");
                        }
                        default -> b.append(' ').append(withCalls(m).strip()).append(' ');
                    }
                }
            }
            case MISTRAL, MISTRAL_TEKKEN, MISTRAL_V7 -> {
                // v0.3 writes a space after each marker; v3-tekken (Mistral NeMo) and v7-tekken (Mistral Small 3) none (as
                // llama.cpp's writers and Mistral Small 3's model card). v0.3 and v3 put the system prompt into the last user
                // turn, as Mistral's v0.3 template does; v7 gives it a block of its own, [SYSTEM_PROMPT]...[/SYSTEM_PROMPT],
                // where the chat has it. The functions, a message of the internal role "tools" (ToolCallFormat.MISTRAL), go
                // in [AVAILABLE_TOOLS] just before the last user turn; each answer is closed by </s>
                String space = this == MISTRAL ? " " : "";
                boolean ownBlock = this == MISTRAL_V7;
                String system = null;
                int lastUser = -1;
                for (int i = 0; i < messages.size(); i++) {
                    if (messages.get(i).role().equals("system") && !ownBlock) {
                        system = system == null ? messages.get(i).content() : system + "\n\n" + messages.get(i).content();
                    } else if (messages.get(i).role().equals("user")) {
                        lastUser = i;
                    }
                }
                for (int i = 0; i < messages.size(); i++) {
                    Message m = messages.get(i);
                    switch (m.role()) {
                        case "system" -> {
                            if (ownBlock) {
                                b.append("[SYSTEM_PROMPT]").append(m.content()).append("[/SYSTEM_PROMPT]");
                            }
                        }
                        case "tools" -> b.append("[AVAILABLE_TOOLS]").append(space).append(m.content()).append("[/AVAILABLE_TOOLS]");
                        case "user" -> b.append("[INST]").append(space).append(i == lastUser && system != null ? system + "\n\n" : "")
                                .append(m.content()).append("[/INST]");
                        case "tool" -> b.append("[TOOL_RESULTS]").append(space).append("{\"content\": ").append(ToolCallFormat.quoted(m.content()))
                                .append('}').append(space).append("[/TOOL_RESULTS]");
                        default -> b.append(withCalls(m)).append("</s>");
                    }
                }
            }
            case GRANITE -> {
                // as llama.cpp writes Granite 3.x turns: each role as given, one turn a line
                for (Message m : messages) {
                    b.append("<|start_of_role|>").append(m.role()).append("<|end_of_role|>").append(withCalls(m)).append("<|end_of_text|>\n");
                }
                b.append("<|start_of_role|>assistant<|end_of_role|>");
            }
            case DEEPSEEK -> {
                // as R1's template: the (last) system message first, then the turns, each answer closed by its end token;
                // a run of tool results between tool-output markers
                messages.stream().filter(m -> m.role().equals("system")).reduce((a, c) -> c).ifPresent(m -> b.append(m.content()));
                for (int i = 0; i < messages.size(); i++) {
                    Message m = messages.get(i);
                    switch (m.role()) {
                        case "user" -> b.append(DEEPSEEK_USER).append(m.content());
                        case "assistant" -> b.append(DEEPSEEK_ASSISTANT).append(withCalls(m)).append(DEEPSEEK_END);
                        case "tool" -> {
                            boolean first = i == 0 || !messages.get(i - 1).role().equals("tool");
                            b.append(first ? DEEPSEEK_OUTPUTS_BEGIN : "\n").append(DEEPSEEK_OUTPUT_BEGIN).append(m.content()).append(DEEPSEEK_OUTPUT_END);
                            if (i == messages.size() - 1 || !messages.get(i + 1).role().equals("tool")) {
                                b.append(DEEPSEEK_OUTPUTS_END);
                            }
                        }
                        default -> { }
                    }
                }
                b.append(DEEPSEEK_ASSISTANT);
            }
            case GEMMA -> {
                // as llama.cpp writes Gemma's turns: no system turn, its text (trimmed) before the next user turn's;
                // the assistant is "model"; each turn's text trimmed
                StringBuilder system = new StringBuilder();
                for (Message m : messages) {
                    if (m.role().equals("system")) {
                        system.append(m.content().strip());
                        continue;
                    }
                    String role = m.role().equals("assistant") ? "model" : m.role();
                    b.append("<start_of_turn>").append(role).append('\n');
                    if (!system.isEmpty() && !role.equals("model")) {
                        b.append(system).append("\n\n");
                        system.setLength(0);
                    }
                    b.append(withCalls(m).strip()).append("<end_of_turn>\n");
                }
                b.append("<start_of_turn>model\n");
            }
            case PHI3 -> {
                // as llama.cpp writes Phi-3's turns: each role between <| and |>, the text, <|end|> and a newline
                for (Message m : messages) {
                    b.append("<|").append(m.role()).append("|>\n").append(withCalls(m)).append("<|end|>\n");
                }
                b.append("<|assistant|>\n");
            }
            case GLM4 -> {
                // as llama.cpp writes GLM-4's turns: [gMASK]<sop> once, each role between <| and |>, a newline, the text
                b.append("[gMASK]<sop>");
                for (Message m : messages) {
                    b.append("<|").append(m.role()).append("|>\n").append(withCalls(m));
                }
                b.append("<|assistant|>\n");
            }
            case EXAONE4 -> {
                // as llama.cpp writes EXAONE 4's turns: each text trimmed, after its role marker; the system's, the answers'
                // and the tools' closed by [|endofturn|] and a newline, the user's by a newline; other roles left out
                for (Message m : messages) {
                    String text = withCalls(m).strip();
                    switch (m.role()) {
                        case "system", "assistant", "tool" -> b.append("[|").append(m.role()).append("|]").append(text).append("[|endofturn|]\n");
                        case "user" -> b.append("[|user|]").append(text).append('\n');
                        default -> { }
                    }
                }
                b.append("[|assistant|]");
            }
            case HARMONY -> b.append(HarmonyPrompt.render(messages, HarmonyPrompt.DEFAULT_EFFORT, LocalDate.now()));
            case PLAIN -> {
                for (Message m : messages) {
                    b.append(m.role()).append(": ").append(withCalls(m)).append('\n');
                }
                b.append("assistant:");
            }
        }
        return b.toString();
    }

    /** A message's text followed by its function calls, written the way this family's models write them. */
    private String withCalls(Message m) {
        if (m.toolCalls().isEmpty()) {
            return m.content();
        }
        String calls = ToolCallFormat.of(this).written(m.toolCalls());
        return m.content().isEmpty() ? calls : m.content() + "\n" + calls;
    }
}
