package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gpt-oss's answers read into reasoning, content and calls. The answers and what they read as are llama.cpp's own test
 * cases for its gpt-oss parser ({@code tests/test-chat.cpp}); the streamed reading is Tangram's.
 */
class HarmonySplitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "Hello, world!\nWhat's up?";
    private static final String THOUGHTS = "I'm\nthinking";
    private static final String CALL = "{\"arg1\": 1}";
    private static final AutoTools TOOLS = new AutoTools(List.of(JSON.createObjectNode().put("name", "special_function"),
            JSON.createObjectNode().put("name", "edit")), true);

    /** What an answer read as: its reasoning, its content (null for none), its calls as "name args". */
    private record Read(String reasoning, String content, List<String> calls) {
    }

    private static Read read(String text, boolean split) {
        AnswerSplit.Piece parts = AnswerSplit.Mode.harmony(split, true).whole(text);
        ToolCallFormat.Parsed parsed = TOOLS.parse(ToolCallFormat.HARMONY, parts.content());
        return new Read(parts.reasoning(), parsed.content(), parsed.calls().stream().map(c -> c.name() + " " + c.arguments()).toList());
    }

    static Stream<Arguments> llamaCppsCases() {
        String edit = "{\"oldString\": \"if (part < railCount - 1) {\", \"newString\": \"if (part < 4) {\", \"replaceAll\": false}";
        return Stream.of(
                Arguments.of("<|channel|>final<|message|>" + ANSWER, "", ANSWER, List.of()),
                Arguments.of("<|channel|>commentary<|message|>" + ANSWER, "", ANSWER, List.of()),
                Arguments.of("<|channel|>analysis<|message|>" + THOUGHTS + "<|end|><|start|>assistant<|channel|>final<|message|>" + ANSWER,
                        THOUGHTS, ANSWER, List.of()),
                Arguments.of("<|channel|>analysis<|message|>" + THOUGHTS, THOUGHTS, "", List.of()),
                Arguments.of(" to=functions.special_function<|channel|>analysis<|message|>" + CALL, "", null,
                        List.of("special_function {\"arg1\":1}")),
                Arguments.of("<|channel|>analysis to=functions.special_function<|message|>" + CALL, "", null,
                        List.of("special_function {\"arg1\":1}")),
                Arguments.of(" to=functions.special_function<|channel|>analysis <|constrain|>json<|message|>" + CALL, "", null,
                        List.of("special_function {\"arg1\":1}")),
                Arguments.of("<|channel|>commentary to=functions.special_function<|message|>" + CALL, "", null,
                        List.of("special_function {\"arg1\":1}")),
                Arguments.of("<|channel|>analysis<|message|>" + THOUGHTS + "<|end|><|start|>assistant to=functions.special_function"
                        + "<|channel|>analysis<|message|>" + CALL, THOUGHTS, null, List.of("special_function {\"arg1\":1}")),
                Arguments.of("<|channel|>analysis<|message|>Thinking about edit...<|end|><|start|>assistant<|channel|>commentary "
                        + "to=functions.edit <|constrain|>json<|message|>" + edit, "Thinking about edit...", null,
                        List.of("edit " + JSON.createObjectNode().put("oldString", "if (part < railCount - 1) {")
                                .put("newString", "if (part < 4) {").put("replaceAll", false))),
                Arguments.of("<|channel|>analysis<|message|>I need to output the invoice details in JSON<|end|><|start|>assistant"
                        + "<|channel|>final <|constrain|>json<|message|>{\"amount\": 123.45, \"date\": \"2025-12-03\"}",
                        "I need to output the invoice details in JSON", "{\"amount\": 123.45, \"date\": \"2025-12-03\"}", List.of()),
                // calls of built-in tools, not offered: nothing of them is content
                Arguments.of("<|channel|>analysis<|message|>I will execute python to say hello<|end|><|start|>assistant to=container.exec"
                        + "<|channel|>commentary<|message|>python3 -c 'print(\"hello\")'", "I will execute python to say hello", "", List.of()),
                Arguments.of("<|channel|>analysis<|message|>I will execute python to say hello<|end|><|start|>assistant<|channel|>commentary "
                        + "to=python <|constrain|>code<|message|>print(\"hello\")", "I will execute python to say hello", "", List.of()),
                // a stray commentary header addressed to the assistant, before the analysis or the final message
                Arguments.of("<|channel|>commentary to=assistant<|channel|>analysis<|message|>" + THOUGHTS
                        + "<|end|><|start|>assistant<|channel|>final<|message|>" + ANSWER, THOUGHTS, ANSWER, List.of()),
                Arguments.of("<|channel|>analysis<|message|>" + THOUGHTS + "<|end|><|start|>assistant<|channel|>commentary to=assistant"
                        + "<|channel|>final<|message|>" + ANSWER, THOUGHTS, ANSWER, List.of()));
    }

    @ParameterizedTest
    @MethodSource("llamaCppsCases")
    void readsAnAnswerAsLlamaCppDoes(String text, String reasoning, String content, List<String> calls) {
        assertThat(read(text, true)).isEqualTo(new Read(reasoning, content, calls));
    }

    @Test
    void withoutTheSplitTheAnalysisStaysInTheContentWithItsMarkers() {
        String text = "<|channel|>analysis<|message|>" + THOUGHTS + "<|end|><|start|>assistant<|channel|>final<|message|>" + ANSWER;
        assertThat(read(text, false)).isEqualTo(new Read("", "<|channel|>analysis<|message|>" + THOUGHTS + "<|end|>" + ANSWER, List.of()));
    }

    @Test
    void aCallOfAFunctionNotOfferedIsDropped() {
        String text = "<|channel|>analysis<|message|>Look it up.<|end|><|start|>assistant<|channel|>commentary to=functions.lookup"
                + "<|message|>{}";
        assertThat(AnswerSplit.Mode.harmony(true, false).whole(text)).isEqualTo(new AnswerSplit.Piece("Look it up.", ""));
    }

    @Test
    void textThatIsNotHarmonyIsAllContent() {
        assertThat(AnswerSplit.Mode.harmony(true, true).whole("Hello <|channel|>final")).isEqualTo(new AnswerSplit.Piece("", "Hello <|channel|>final"));
        assertThat(AnswerSplit.Mode.harmony(true, true).whole("<|start|>user<|message|>hi")).isEqualTo(new AnswerSplit.Piece("", "<|start|>user<|message|>hi"));
        // a header that never ends within 256 characters
        String endless = "<|channel|>" + "x".repeat(300) + "<|message|>y";
        assertThat(AnswerSplit.Mode.harmony(true, true).whole(endless)).isEqualTo(new AnswerSplit.Piece("", endless));
        // an answer cut off in its header has no text
        assertThat(AnswerSplit.Mode.harmony(true, true).whole("<|channel|>anal")).isEqualTo(AnswerSplit.Piece.NOTHING);
    }

    /** Cut anywhere, into any number of pieces, an answer reads as it does whole. */
    @ParameterizedTest
    @MethodSource("llamaCppsCases")
    void piecesAddUpToTheWhole(String text) {
        for (boolean split : new boolean[] {true, false}) {
            AnswerSplit.Piece whole = AnswerSplit.Mode.harmony(split, true).whole(text);
            for (int cut = 0; cut <= text.length(); cut++) {
                assertThat(SplitPieces.streamed(new HarmonySplit(split, true), text, new int[] {cut})).as("cut at %d", cut).isEqualTo(whole);
            }
            Random random = new Random(11);
            for (int trial = 0; trial < 100; trial++) {
                int[] cuts = random.ints(random.nextInt(1, 12), 0, text.length() + 1).sorted().toArray();
                assertThat(SplitPieces.streamed(new HarmonySplit(split, true), text, cuts)).isEqualTo(whole);
            }
        }
    }
}
