package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.testing.FakeTokenizer;
import dev.tangram.inference.tokenizer.Tokenizer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextAssemblerTest {
    /** The fake vocabulary with '!' made a control token. */
    private static final FakeTokenizer FAKE = new FakeTokenizer();
    private static final int CONTROL = FAKE.encode("!", false)[0];
    private static final Tokenizer TOKENIZER = new Tokenizer() {
        @Override
        public int[] encode(String text, boolean addBos) {
            return FAKE.encode(text, addBos);
        }

        @Override
        public String decode(int[] tokens) {
            return FAKE.decode(tokens);
        }

        @Override
        public byte[] tokenBytes(int token) {
            return FAKE.tokenBytes(token);
        }

        @Override
        public int vocabSize() {
            return FAKE.vocabSize();
        }

        @Override
        public int bos() {
            return FAKE.bos();
        }

        @Override
        public int eos() {
            return FAKE.eos();
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return FAKE.isEndOfGeneration(token);
        }

        @Override
        public boolean isText(int token) {
            return token != CONTROL;
        }
    };

    private static String run(TextAssembler a, String text) {
        StringBuilder out = new StringBuilder();
        for (int t : TOKENIZER.encode(text, false)) {
            out.append(a.add(t));
        }
        return out.append(a.flush()).toString();
    }

    @Test
    void controlTokensAddNoTextWhereTheRulesSkipThem() {
        assertThat(run(new TextAssembler(TOKENIZER, new TextRules(List.of(), Set.of(), false, true)), "hi! there")).isEqualTo("hi there");
        assertThat(run(new TextAssembler(TOKENIZER, new TextRules(List.of(), Set.of(), false, false)), "hi! there")).isEqualTo("hi! there");
    }

    @Test
    void aStopTokenEndsTheTextAfterItsOwnTextOnceMinTokensHaveCome() {
        int s = TOKENIZER.encode("s", false)[0];
        TextAssembler a = new TextAssembler(TOKENIZER, new TextRules(List.of(), Set.of(s), false, true));
        assertThat(run(a, "this is it")).isEqualTo("this");
        assertThat(a.stopped()).isTrue();
        TextAssembler held = new TextAssembler(TOKENIZER, new TextRules(List.of(), Set.of(s), false, true), 5);
        assertThat(run(held, "this is it")).isEqualTo("this is");
        // a control token that stops adds no text when control tokens are skipped
        TextAssembler control = new TextAssembler(TOKENIZER, new TextRules(List.of(), Set.of(CONTROL), false, true));
        assertThat(run(control, "done! more")).isEqualTo("done");
        assertThat(control.stopped()).isTrue();
    }

    @Test
    void aStopStringIsDroppedUnlessTheRulesKeepIt() {
        assertThat(run(new TextAssembler(TOKENIZER, new TextRules(List.of("is i"), Set.of(), false, true)), "this is it")).isEqualTo("th");
        assertThat(run(new TextAssembler(TOKENIZER, new TextRules(List.of("is i"), Set.of(), true, true)), "this is it"))
                .isEqualTo("this i");
    }
}
