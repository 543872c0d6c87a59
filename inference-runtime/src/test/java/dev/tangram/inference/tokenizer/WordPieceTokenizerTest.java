package dev.tangram.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    //                                   0        1       2        3     4      5       6     7       8      9
    private static final String[] TOKENS = {"[UNK]", "▁play", "▁playing", "ing", "▁!", "▁cafe", "▁a", "▁中", "▁hello", "s"};

    private static WordPieceTokenizer tokenizer(boolean lowercase) {
        int[] types = new int[TOKENS.length];
        Arrays.fill(types, Vocabulary.NORMAL);
        types[0] = Vocabulary.UNKNOWN;
        return new WordPieceTokenizer(new Vocabulary(TOKENS, new float[TOKENS.length], types, -1, -1, 0, Set.of()), lowercase, lowercase);
    }

    @Test
    void coversEachWordGreedilyWithTheLongestTokensFromTheLeft() {
        assertThat(tokenizer(true).encode("playing plays", false, false)).containsExactly(2, 1, 9);
    }

    @Test
    void aWordThatCannotBeCoveredBecomesTheUnknownToken() {
        assertThat(tokenizer(true).encode("playx hello", false, false)).containsExactly(0, 8);
    }

    @Test
    void lowerCasesStripsAccentsAndCutsPunctuationAndIdeographsIntoWordsOfTheirOwn() {
        assertThat(tokenizer(true).encode("Café!中a", false, false)).containsExactly(5, 4, 7, 6);
        assertThat(tokenizer(true).words("  Café!中a\u0007 b  ")).containsExactly("cafe", "!", "中", "a", "b");
    }

    @Test
    void keepsCaseAndAccentsWhenTheVocabularySaysSo() {
        assertThat(tokenizer(false).words("Café")).containsExactly("Café");
        assertThat(tokenizer(false).encode("Hello", false, false)).containsExactly(0);
    }

    @Test
    void decodesWordStartsWithSpacesAndDropsTheFirst() {
        assertThat(tokenizer(true).decode(new int[] {8, 2, 1, 9})).isEqualTo("hello playing plays");
    }
}
