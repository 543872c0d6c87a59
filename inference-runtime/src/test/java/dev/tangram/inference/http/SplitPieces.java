package dev.tangram.inference.http;

/** Feeds a text to an {@link AnswerSplit} in pieces, as a stream brings it. */
final class SplitPieces {
    private SplitPieces() {
    }

    /** What {@code split} makes of {@code text} cut at {@code cuts} (ascending), its pieces' parts joined. */
    static AnswerSplit.Piece streamed(AnswerSplit split, String text, int[] cuts) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : text.length();
            AnswerSplit.Piece p = split.add(text.substring(from, to));
            reasoning.append(p.reasoning());
            content.append(p.content());
            from = to;
        }
        AnswerSplit.Piece last = split.finish();
        return new AnswerSplit.Piece(reasoning.append(last.reasoning()).toString(), content.append(last.content()).toString());
    }
}
