package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReasoningSplitTest {
    /** Each text (\n written as |), whether the prompt opened the block, and the reasoning and answer it splits into. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "<think>|Add them.|So 4.|</think>||4;            false; Add them.|So 4.; 4",
            "Add them.|</think>||4;                          true;  Add them.;         4",
            "||Add them.|||</think>  ||The answer is 4.;      true;  Add them.;         The answer is 4.",
            "<think>||</think>||Hi;                          false; '';                Hi",
            "Just an answer.;                                false; '';                Just an answer.",
            "  <think>|still going|;                         false; still going;       ''",
            "still going, cut off;                           true;  still going, cut off; ''",
            "<thinking>x</thinking>;                         false; '';                <thinking>x</thinking>",
            "<thin;                                          false; '';                <thin",
            "|| Hi <think>;                                  false; '';                || Hi <think>",
            "a </thinx b</think>c </think> d;                true;  a </thinx b;       c </think> d",
            "<think>a|</th|ink>b;                            false; a|</th|ink>b;      ''",
    })
    void splitsTheReasoningFromTheAnswer(String text, boolean opened, String reasoning, String answer) {
        AnswerSplit.Piece whole = AnswerSplit.Mode.think(opened).whole(text.replace('|', '\n'));
        assertThat(whole).isEqualTo(new AnswerSplit.Piece(reasoning.replace('|', '\n'), answer.replace('|', '\n')));
    }

    /** Cut anywhere, into any number of pieces, a text splits as it does whole: nothing is sent that a later piece would change. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "<think>|Add them.||So 4.|</think>||4 is the answer;false",
            "|Add them.|</think>||The answer is 4.|;true",
            "  <think>||</think>||</think>Hi;false",
            "Plain text <think> here;false",
            "a </thi||</think>|||b||;true"})
    void piecesAddUpToTheWhole(String written, boolean opened) {
        String text = written.replace('|', '\n');
        AnswerSplit.Piece whole = AnswerSplit.Mode.think(opened).whole(text);
        for (int cut = 0; cut <= text.length(); cut++) {
            assertThat(SplitPieces.streamed(new ReasoningSplit(opened), text, new int[] {cut})).as("cut at %d", cut).isEqualTo(whole);
        }
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] cuts = random.ints(random.nextInt(1, 8), 0, text.length() + 1).sorted().toArray();
            assertThat(SplitPieces.streamed(new ReasoningSplit(opened), text, cuts)).isEqualTo(whole);
        }
    }
}
