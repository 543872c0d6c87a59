package dev.tangram.inference.http;

/**
 * Splits a reasoning model's generated text, as it arrives, into its reasoning (between {@code <think>} and
 * {@code </think>}) and its answer. The reasoning is the text of a block the answer starts with (after any whitespace), or,
 * where the prompt opened the block, the text before the first {@code </think>}; newlines around it are dropped, and so is
 * whitespace between {@code </think>} and the answer. A block never closed (the answer cut off by {@code max_tokens}) is
 * all reasoning; text that does not start with a block is all answer. Text that may still turn out to be a tag, or the
 * newlines a tag would drop, is held back until it is known; the pieces of a text cut anywhere add up to what the whole
 * text gives.
 */
final class ReasoningSplit extends HeldTextSplit {
    /** The tags around a reasoning block (also what {@link ServingModel} reads out of answers sent back). */
    static final String OPEN = "<think>";
    static final String CLOSE = "</think>";

    private enum State {
        /** Before the first non-whitespace text: a block may yet start. */
        START,
        /** Inside the block, its leading newlines dropped. */
        REASONING,
        /** After {@code </think>}: whitespace before the answer is dropped. */
        AFTER,
        /** The answer. */
        CONTENT
    }

    private State state;
    /** Whether the reasoning's leading newlines are behind us. */
    private boolean reasoningStarted;

    /** @param opened whether the prompt ends inside a reasoning block (the text starts with the reasoning) */
    ReasoningSplit(boolean opened) {
        this.state = opened ? State.REASONING : State.START;
    }

    @Override
    protected boolean step(StringBuilder reasoning, StringBuilder content, boolean end) {
        switch (state) {
            case START -> {
                String s = held.toString().stripLeading();
                if (s.startsWith(OPEN)) {
                    held.delete(0, held.length() - s.length() + OPEN.length());
                    state = State.REASONING;
                    return true;
                }
                if (end || !OPEN.startsWith(s)) {
                    content.append(held);
                    held.setLength(0);
                    state = State.CONTENT;
                }
                return false;
            }
            case REASONING -> {
                if (!reasoningStarted) {
                    int from = 0;
                    while (from < held.length() && held.charAt(from) == '\n') {
                        from++;
                    }
                    held.delete(0, from);
                    reasoningStarted = !held.isEmpty();
                }
                int close = held.indexOf(CLOSE);
                if (close >= 0) {
                    reasoning.append(trailingNewlinesCut(held.substring(0, close)));
                    held.delete(0, close + CLOSE.length());
                    state = State.AFTER;
                    return true;
                }
                // hold what may be the start of </think>, and newlines that may come just before it
                int keep = end ? held.length() : newlinesStart(held, partialTagStart(held, CLOSE));
                reasoning.append(end ? trailingNewlinesCut(held.toString()) : held.substring(0, keep));
                held.delete(0, end ? held.length() : keep);
                return false;
            }
            case AFTER -> {
                String s = held.toString().stripLeading();
                held.setLength(0);
                if (!s.isEmpty()) {
                    held.append(s);
                    state = State.CONTENT;
                    return true;
                }
                return false;
            }
            case CONTENT -> {
                content.append(held);
                held.setLength(0);
                return false;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Where the run of newlines ending at {@code to} starts. */
    private static int newlinesStart(CharSequence text, int to) {
        int from = to;
        while (from > 0 && text.charAt(from - 1) == '\n') {
            from--;
        }
        return from;
    }

    private static String trailingNewlinesCut(String text) {
        return text.substring(0, newlinesStart(text, text.length()));
    }
}
