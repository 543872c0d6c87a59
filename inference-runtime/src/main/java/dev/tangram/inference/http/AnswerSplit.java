package dev.tangram.inference.http;

/**
 * Splits one chat answer's text, as it arrives, into its reasoning ({@code reasoning_content}) and its content. The pieces
 * of a text cut anywhere add up to what the whole text gives.
 */
interface AnswerSplit {
    /** Takes the next generated text; answers what of each part is now known. */
    Piece add(String text);

    /** At the end of the text: the rest of each part. */
    Piece finish();

    /** A piece of each part ("" for none). */
    record Piece(String reasoning, String content) {
        static final Piece NOTHING = new Piece("", "");

        boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    /**
     * How one request's chat answers are split.
     *
     * @param split   the reasoning goes into {@code reasoning_content} (else it stays in the content, as the model wrote it)
     * @param opened  {@code <think>} models: the prompt ends inside a reasoning block
     * @param harmony gpt-oss's Harmony messages, read by {@link HarmonySplit} (which runs even where {@code split} is
     *                false: the message headers are never content)
     * @param calls   Harmony: functions are offered, so a message to one is a call (else it is dropped)
     */
    record Mode(boolean split, boolean opened, boolean harmony, boolean calls) {
        static final Mode OFF = new Mode(false, false, false, false);

        /** A {@code <think>} model's answers, their reasoning split off. */
        static Mode think(boolean opened) {
            return new Mode(true, opened, false, false);
        }

        static Mode harmony(boolean split, boolean calls) {
            return new Mode(split, false, true, calls);
        }

        /** A split for one choice's streamed text, or null where the text is all content. */
        AnswerSplit start() {
            if (harmony) {
                return new HarmonySplit(split, calls);
            }
            return split ? new ReasoningSplit(opened) : null;
        }

        /** The two parts of a whole text. */
        Piece whole(String text) {
            AnswerSplit s = start();
            if (s == null) {
                return new Piece("", text);
            }
            Piece first = s.add(text);
            Piece rest = s.finish();
            return new Piece(first.reasoning() + rest.reasoning(), first.content() + rest.content());
        }
    }
}
