package dev.tangram.inference.http;

/**
 * Reads gpt-oss's answer, a run of Harmony messages, as it arrives: {@code <|channel|>analysis<|message|>...<|end|>} is
 * reasoning, {@code <|start|>assistant<|channel|>final<|message|>...} the content, a {@code commentary} message without a
 * recipient (a preamble to calls) content too. A message to {@code functions.NAME} (the recipient in its channel or in its
 * role, {@code " to=functions.NAME"}) is a call, handed on as content in the form {@link ToolCallFormat#HARMONY} reads;
 * where no functions were offered it is dropped, as is a message to any other recipient (a built-in tool's). These are
 * llama.cpp's rules for gpt-oss (its PEG parser for the format), the recipient {@code assistant} of a stray
 * {@code commentary} header ignored as there.
 *
 * <p>The first message's header follows the prompt's {@code <|start|>assistant}; each later one starts with it. A header
 * is held until its {@code <|message|>}, a body's possible {@code <|end|>} until it is known. Text that cannot be a header
 * (the model did not write Harmony) is all content, as it came. Where the reasoning is not split off, an analysis message
 * stays in the content with its channel and end markers, as llama.cpp leaves it.
 */
final class HarmonySplit extends HeldTextSplit {
    static final String START = "<|start|>";
    static final String ASSISTANT = START + "assistant";
    static final String CHANNEL = "<|channel|>";
    static final String MESSAGE = "<|message|>";
    static final String END = "<|end|>";
    static final String CONSTRAIN = "<|constrain|>";
    static final String CALL = "<|call|>";
    /** Where a recipient is named, in the channel or the role. */
    private static final String TO = " to=";
    private static final String FUNCTIONS = "functions.";
    /** The tags an analysis message keeps in the content where the reasoning is not split off. */
    private static final String ANALYSIS = CHANNEL + "analysis" + MESSAGE;
    /** The most header text awaited before the text is taken for plain text. */
    private static final int MAX_HEADER = 256;

    private enum State {
        /** Before a message's {@code <|message|>}. */
        HEADER,
        /** A message's text, until its {@code <|end|>}. */
        BODY,
        /** Text that is not Harmony: all content. */
        PLAIN
    }

    /** Where a message's text goes. */
    private enum Kind {
        REASONING, CONTENT, TAGGED_ANALYSIS, CALL, DROPPED
    }

    private final boolean split;
    private final boolean calls;
    private State state = State.HEADER;
    private Kind kind;

    /**
     * @param split whether analysis messages are reasoning (else content, tags and all)
     * @param calls whether functions were offered (messages to them are calls; else dropped)
     */
    HarmonySplit(boolean split, boolean calls) {
        this.split = split;
        this.calls = calls;
    }

    @Override
    protected boolean step(StringBuilder reasoning, StringBuilder content, boolean end) {
        switch (state) {
            case HEADER -> {
                int at = held.indexOf(MESSAGE);
                if (at >= 0 && at <= MAX_HEADER && mayBeHeader(held.substring(0, at))) {
                    String header = held.substring(0, at);
                    held.delete(0, at + MESSAGE.length());
                    String recipient = recipient(header);
                    kind = kind(header, recipient);
                    switch (kind) {
                        case TAGGED_ANALYSIS -> content.append(ANALYSIS);
                        case CALL -> content.append(ToolCallFormat.harmonyCallHead(recipient.substring(FUNCTIONS.length())));
                        default -> { }
                    }
                    state = State.BODY;
                    return true;
                }
                if (!mayBeHeader(held.toString()) || held.length() >= MAX_HEADER + MESSAGE.length()) {
                    state = State.PLAIN;
                    return true;
                }
                return false; // a header cut off at the end is no text of the answer
            }
            case BODY -> {
                int close = held.indexOf(END);
                int to = close >= 0 ? close : end ? held.length() : partialTagStart(held, END);
                target(reasoning, content).append(held, 0, to);
                if (close >= 0) {
                    held.delete(0, close + END.length());
                    closeMessage(content);
                    state = State.HEADER;
                    return true;
                }
                held.delete(0, to);
                if (end) {
                    closeMessage(content);
                }
                return false;
            }
            case PLAIN -> {
                content.append(held);
                held.setLength(0);
                return false;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Where the current message's text goes (a throwaway for a dropped one). */
    private StringBuilder target(StringBuilder reasoning, StringBuilder content) {
        return switch (kind) {
            case REASONING -> reasoning;
            case CONTENT, TAGGED_ANALYSIS, CALL -> content;
            case DROPPED -> new StringBuilder();
        };
    }

    /** What the content gets at the end of a message: the end tag of a tagged analysis, a call's closing token. */
    private void closeMessage(StringBuilder content) {
        switch (kind) {
            case TAGGED_ANALYSIS -> content.append(END);
            case CALL -> content.append(CALL);
            default -> { }
        }
    }

    /**
     * Whether {@code text} is, or may grow into, a message header: after an optional {@code <|start|>assistant}, a channel
     * or a recipient (text that could still become {@code <|start|>assistant} waits too).
     */
    static boolean mayBeHeader(String text) {
        if (ASSISTANT.startsWith(text)) {
            return true;
        }
        String rest = text.startsWith(ASSISTANT) ? text.substring(ASSISTANT.length()) : text;
        return startsOrBegins(rest, CHANNEL) || startsOrBegins(rest, TO);
    }

    private static boolean startsOrBegins(String text, String opener) {
        return text.startsWith(opener) || opener.startsWith(text);
    }

    /** Where a message with this header, and this recipient ({@link #recipient}), goes. */
    private Kind kind(String header, String recipient) {
        if (recipient != null) {
            return calls && recipient.startsWith(FUNCTIONS) && recipient.length() > FUNCTIONS.length() ? Kind.CALL : Kind.DROPPED;
        }
        int channel = header.lastIndexOf(CHANNEL);
        String name = channel < 0 ? "" : word(header, channel + CHANNEL.length());
        if (name.equals("analysis")) {
            return split ? Kind.REASONING : Kind.TAGGED_ANALYSIS;
        }
        return Kind.CONTENT; // final, a commentary preamble, or a channel not known here
    }

    /** The header's recipient ({@code to=...}) other than the assistant itself, or null. */
    private static String recipient(String header) {
        for (int at = header.indexOf(TO); at >= 0; at = header.indexOf(TO, at + 1)) {
            String name = word(header, at + TO.length());
            if (!name.isEmpty() && !name.equals("assistant")) {
                return name;
            }
        }
        return null;
    }

    /** The text from {@code from} to the next space or tag. */
    private static String word(String text, int from) {
        int to = from;
        while (to < text.length() && !Character.isWhitespace(text.charAt(to)) && !text.startsWith("<|", to)) {
            to++;
        }
        return text.substring(from, to);
    }
}
