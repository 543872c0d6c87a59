package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VocabVectorsTest {
    private static final String SEP = VocabVectors.SEPARATOR;

    @Test
    void readsTextsBetweenSeparatorsKeepingEmptyAndNewlineOnlyTexts() {
        VocabVectors v = VocabVectors.parse(SEP + " " + SEP + "\n" + SEP + "Hello world" + SEP, "\n 220 \n198\n9906  1917\n");
        assertThat(v.texts()).containsExactly("", " ", "\n", "Hello world");
        assertThat(v.expected()).satisfiesExactly(
                ids -> assertThat(ids).isEmpty(),
                ids -> assertThat(ids).containsExactly(220),
                ids -> assertThat(ids).containsExactly(198),
                ids -> assertThat(ids).containsExactly(9906, 1917));
    }

    @Test
    void keepsATextThatIsNotFollowedByASeparator() {
        VocabVectors v = VocabVectors.parse("a" + SEP + "b", "64\n65\n");
        assertThat(v.texts()).containsExactly("a", "b");
    }

    @Test
    void refusesFilesWithDifferentNumbersOfTests() {
        assertThatThrownBy(() -> VocabVectors.parse("a" + SEP + "b" + SEP, "64\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 texts, 1 token lines");
    }

    @Test
    void refusesAnOutputLineThatIsNotTokenIds() {
        assertThatThrownBy(() -> VocabVectors.parse("a" + SEP, "64 x\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output line 1");
    }
}
