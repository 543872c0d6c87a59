package dev.tangram.inference.http;

import java.util.List;

/**
 * Turns chat messages into one prompt. GGUF files carry a Jinja template; rather than run Jinja, the server recognises
 * the template family by its markers and renders that family's layout: Llama 3 headers, ChatML, Llama 2 [INST], or a
 * plain "role: content" transcript for anything else.
 */
public enum ChatTemplate {
    LLAMA3, CHATML, LLAMA2, PLAIN;

    /** One chat message. */
    public record Message(String role, String content) {
    }

    /** The family a GGUF {@code tokenizer.chat_template} belongs to (PLAIN when absent or unknown). */
    public static ChatTemplate detect(String jinja) {
        if (jinja == null) {
            return PLAIN;
        }
        if (jinja.contains("<|start_header_id|>")) {
            return LLAMA3;
        }
        if (jinja.contains("<|im_start|>")) {
            return CHATML;
        }
        if (jinja.contains("[INST]")) {
            return LLAMA2;
        }
        return PLAIN;
    }

    /** The prompt text, ending where the assistant's reply begins (BOS is added by the tokenizer, not here). */
    public String render(List<Message> messages) {
        StringBuilder b = new StringBuilder();
        switch (this) {
            case LLAMA3 -> {
                for (Message m : messages) {
                    b.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n").append(m.content().strip()).append("<|eot_id|>");
                }
                b.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            case CHATML -> {
                for (Message m : messages) {
                    b.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
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
                        default -> b.append(' ').append(m.content().strip()).append(' ');
                    }
                }
            }
            case PLAIN -> {
                for (Message m : messages) {
                    b.append(m.role()).append(": ").append(m.content()).append('\n');
                }
                b.append("assistant:");
            }
        }
        return b.toString();
    }
}
