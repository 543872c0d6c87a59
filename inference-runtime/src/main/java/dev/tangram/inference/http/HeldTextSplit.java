package dev.tangram.inference.http;

/**
 * An {@link AnswerSplit} that holds the text it cannot place yet and steps through it as more arrives: each step moves
 * what the held text settles into the parts, until a step settles nothing more.
 */
abstract class HeldTextSplit implements AnswerSplit {
    /** Text received but not yet handed out. */
    protected final StringBuilder held = new StringBuilder();

    @Override
    public final Piece add(String text) {
        held.append(text);
        return settle(false);
    }

    @Override
    public final Piece finish() {
        return settle(true);
    }

    private Piece settle(boolean end) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        boolean moved = true;
        while (moved) {
            moved = step(reasoning, content, end);
        }
        return new Piece(reasoning.toString(), content.toString());
    }

    /**
     * Moves what the held text settles into the parts ({@code end}: the text is complete); answers whether the state
     * changed, so that another step may settle more.
     */
    protected abstract boolean step(StringBuilder reasoning, StringBuilder content, boolean end);

    /** Where a suffix of {@code text} that is a proper prefix of {@code tag} starts (the text's length if none). */
    static int partialTagStart(CharSequence text, String tag) {
        for (int k = Math.min(tag.length() - 1, text.length()); k > 0; k--) {
            if (tag.startsWith(text.subSequence(text.length() - k, text.length()).toString())) {
                return text.length() - k;
            }
        }
        return text.length();
    }
}
