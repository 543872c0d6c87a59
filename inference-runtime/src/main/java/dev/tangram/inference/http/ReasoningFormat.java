package dev.tangram.inference.http;

/**
 * Where a reasoning model's reasoning goes in a chat answer (llama.cpp's {@code reasoning_format}): {@code auto} splits
 * it from the answer into the message's {@code reasoning_content} ({@code deepseek} is llama.cpp's other name for that);
 * {@code none} leaves it in the content, {@code <think>} tags and all.
 */
public enum ReasoningFormat {
    AUTO, NONE;

    /** The format a word names; an IllegalArgumentException that lists the words for any other. */
    public static ReasoningFormat parse(String word) {
        return switch (word) {
            case "auto", "deepseek" -> AUTO;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("expected auto, deepseek or none, got '" + word + "'");
        };
    }
}
