package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ToolCallFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NAMES = Set.of("get_weather", "now");

    private static ChatTemplate.ToolCall call(String name, String arguments) {
        return new ChatTemplate.ToolCall(name, arguments);
    }

    @Test
    void llama3StyleAnswersAreReadAsCallsWithEitherArgumentsKey() {
        ToolCallFormat f = ToolCallFormat.JSON;
        assertThat(f.parse(" {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}\n", NAMES))
                .isEqualTo(new ToolCallFormat.Parsed(null, List.of(call("get_weather", "{\"city\":\"Paris\"}"))));
        assertThat(f.parse("<|python_tag|>{\"name\":\"now\",\"arguments\":{}}", NAMES).calls()).containsExactly(call("now", "{}"));
        // arguments given as a string holding the object, or left out
        assertThat(f.parse("{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Oslo\\\"}\"}", NAMES).calls())
                .containsExactly(call("get_weather", "{\"city\":\"Oslo\"}"));
        assertThat(f.parse("{\"name\":\"now\"}", NAMES).calls()).containsExactly(call("now", "{}"));
        assertThat(f.parse("{\"name\":\"now\"};", NAMES).calls()).containsExactly(call("now", "{}")); // a stray ';' at the end
        // several, separated by ';'
        assertThat(f.parse("{\"name\":\"now\",\"parameters\":{}}; {\"name\":\"get_weather\",\"parameters\":{\"city\":\"Rome\"}}", NAMES)
                .calls()).containsExactly(call("now", "{}"), call("get_weather", "{\"city\":\"Rome\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "It is sunny.",
        "{\"name\":\"send_mail\",\"parameters\":{}}", // not a function offered
        "{\"name\":\"now\",\"parameters\":{}} and then some words",
        "{\"name\":\"now\",\"parameters\":[1]}",
        "{\"name\":\"now\",\"parameters\":{}, \"why\":\"because\"}", // not the shape of a call
        "{\"answer\": 42}",
        "{\"name\":\"now\",\"parameters\":{", // cut off by max_tokens
        "[{\"name\":\"now\"}]",
        ""})
    void llama3StyleAnswersThatAreNotWhollyCallsAreMessages(String text) {
        assertThat(ToolCallFormat.JSON.parse(text, NAMES)).isEqualTo(ToolCallFormat.Parsed.message(text));
    }

    @Test
    void hermesStyleAnswersAreReadAsCallsAfterAnyText() {
        ToolCallFormat f = ToolCallFormat.HERMES;
        assertThat(f.parse("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", NAMES))
                .isEqualTo(new ToolCallFormat.Parsed(null, List.of(call("get_weather", "{\"city\":\"Paris\"}"))));
        assertThat(f.parse("Let me look.\n<tool_call>{\"name\":\"now\",\"arguments\":{}}</tool_call>\n<tool_call>\n"
                + "{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Oslo\"}}", NAMES)) // the last closing tag never came
                .isEqualTo(new ToolCallFormat.Parsed("Let me look.\n", List.of(call("now", "{}"), call("get_weather", "{\"city\":\"Oslo\"}"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "No tools needed.",
        "<tool_call>{\"name\":\"send_mail\",\"arguments\":{}}</tool_call>",
        "<tool_call>{\"name\":\"now\",\"arguments\":{</tool_call>",
        "<tool_call>{\"name\":\"now\"}</tool_call> done",
        "<tool_call></tool_call>"})
    void hermesStyleAnswersWithABadCallAreMessages(String text) {
        assertThat(ToolCallFormat.HERMES.parse(text, NAMES)).isEqualTo(ToolCallFormat.Parsed.message(text));
    }

    @Test
    void mistralStyleAnswersAreReadAsCallsAfterAnyText() {
        ToolCallFormat f = ToolCallFormat.MISTRAL;
        assertThat(f.parse("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", NAMES))
                .isEqualTo(new ToolCallFormat.Parsed(null, List.of(call("get_weather", "{\"city\":\"Paris\"}"))));
        assertThat(f.parse("Checking.[TOOL_CALLS]{\"name\":\"now\",\"arguments\":{}}", NAMES)) // one object, no array
                .isEqualTo(new ToolCallFormat.Parsed("Checking.", List.of(call("now", "{}"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Sunny.",
        "[TOOL_CALLS] [{\"name\":\"send_mail\",\"arguments\":{}}]",
        "[TOOL_CALLS] [{\"name\":\"now\",\"arguments\":{}}] and more",
        "[TOOL_CALLS] [{\"name\":\"now\",\"arguments\":{",
        "[TOOL_CALLS] []",
        "[TOOL_CALLS] \"now\""})
    void mistralStyleAnswersWithABadCallAreMessages(String text) {
        assertThat(ToolCallFormat.MISTRAL.parse(text, NAMES)).isEqualTo(ToolCallFormat.Parsed.message(text));
    }

    @Test
    void callsAreWrittenAsEachFamilyWritesThemAndReadBack() {
        ChatTemplate.ToolCall c = call("get_weather", "{\"city\":\"Paris\"}");
        assertThat(ToolCallFormat.JSON.written(List.of(c))).isEqualTo("{\"name\": \"get_weather\", \"parameters\": {\"city\":\"Paris\"}}");
        assertThat(ToolCallFormat.HERMES.written(List.of(c)))
                .isEqualTo("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call>");
        assertThat(ToolCallFormat.MISTRAL.written(List.of(c, call("now", ""))))
                .isEqualTo("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}, {\"name\": \"now\", \"arguments\": {}}]");
        for (ToolCallFormat f : ToolCallFormat.values()) {
            assertThat(f.parse(f.written(List.of(c)), NAMES).calls()).containsExactly(c);
            assertThat(f.parse(f.written(List.of(c, call("now", "{}"))), NAMES).calls()).containsExactly(c, call("now", "{}"));
        }
        assertThat(ToolCallFormat.of(ChatTemplate.MISTRAL)).isEqualTo(ToolCallFormat.MISTRAL);
        assertThat(ToolCallFormat.of(ChatTemplate.CHATML)).isEqualTo(ToolCallFormat.HERMES);
        assertThat(ToolCallFormat.of(ChatTemplate.LLAMA3)).isEqualTo(ToolCallFormat.JSON);
        assertThat(ToolCallFormat.of(ChatTemplate.PLAIN)).isEqualTo(ToolCallFormat.JSON);
    }

    @Test
    void theFunctionsAreShownWhereEachFamilyLooksForThem() throws Exception {
        List<JsonNode> functions = List.of(JSON.readTree("{\"name\":\"now\",\"description\":\"the time\"}"));
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "time?"));

        List<ChatTemplate.Message> llama = ToolCallFormat.JSON.prompt(chat, functions);
        assertThat(llama.get(0)).isEqualTo(chat.get(0));
        assertThat(llama.get(1).content()).contains("{\"type\": \"function\", \"function\": {\"name\":\"now\",\"description\":\"the time\"}}")
                .contains("\"parameters\"").endsWith("\n\ntime?");

        List<ChatTemplate.Message> hermes = ToolCallFormat.HERMES.prompt(chat, functions);
        assertThat(hermes).hasSize(2);
        assertThat(hermes.get(0).content()).startsWith("Be brief.\n\n# Tools").contains("<tools>\n{\"type\": \"function\"")
                .contains("<tool_call>");
        assertThat(hermes.get(1)).isEqualTo(chat.get(1));
        // without a system message, one is added
        assertThat(ToolCallFormat.HERMES.prompt(chat.subList(1, 2), functions).get(0).role()).isEqualTo("system");

        // Mistral: the list, as a message of its own, just before the last user turn
        List<ChatTemplate.Message> longer = List.of(chat.get(0), chat.get(1), new ChatTemplate.Message("assistant", "noon"),
                new ChatTemplate.Message("user", "and now?"));
        List<ChatTemplate.Message> mistral = ToolCallFormat.MISTRAL.prompt(longer, functions);
        assertThat(mistral).extracting(ChatTemplate.Message::role).containsExactly("system", "user", "assistant", "tools", "user");
        assertThat(mistral.get(3).content()).isEqualTo("[{\"type\": \"function\", \"function\": {\"name\":\"now\",\"description\":\"the time\"}}]");
    }

    @Test
    void aStreamedAnswerHoldsBackOnlyWhatMayStillBeACall() {
        // Llama 3 style: undecided while only space, '{' or the python tag (or the start of it) has come
        assertThat(ToolCallFormat.JSON.holdFrom(" \n", 0)).isZero();
        assertThat(ToolCallFormat.JSON.holdFrom("  {\"na", 0)).isZero();
        assertThat(ToolCallFormat.JSON.holdFrom("<|pyth", 0)).isZero();
        assertThat(ToolCallFormat.JSON.holdFrom(" Hello", 0)).isEqualTo(6);
        assertThat(ToolCallFormat.JSON.holdFrom(" Hello {", 6)).isEqualTo(8);
        // Hermes style: text streams until the opening tag, or a tail that may begin it
        assertThat(ToolCallFormat.HERMES.holdFrom("Sure.", 0)).isEqualTo(5);
        assertThat(ToolCallFormat.HERMES.holdFrom("Sure. <tool", 5)).isEqualTo(6);
        assertThat(ToolCallFormat.HERMES.holdFrom("Sure. <tool_call>{\"name\"", 6)).isEqualTo(6);
        assertThat(ToolCallFormat.HERMES.holdFrom("a < b", 0)).isEqualTo(5);
        assertThat(ToolCallFormat.HERMES.holdFrom("a <", 0)).isEqualTo(2);
        // Mistral style: the same, with its marker
        assertThat(ToolCallFormat.MISTRAL.holdFrom("Sure. [TOOL", 0)).isEqualTo(6);
        assertThat(ToolCallFormat.MISTRAL.holdFrom("Sure. [TOOL_CALLS] [", 6)).isEqualTo(6);
        assertThat(ToolCallFormat.MISTRAL.holdFrom("a [b]", 0)).isEqualTo(5);
    }

    /** However an answer is cut into streamed pieces, what goes out adds up to what the whole answer is read as. */
    @Test
    void streamedPiecesAddUpToTheWholeAnswerForEveryWayOfCuttingIt() {
        List<String> answers = List.of(
                "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}",
                " <|python_tag|>{\"name\":\"now\"}; {\"name\":\"now\"}",
                "It is {probably} sunny <tool_call> in Paris.",
                "Let me look.\n<tool_call>\n{\"name\":\"now\",\"arguments\":{}}\n</tool_call>",
                "<tool_call>{\"name\":\"now\",\"arguments\":{}}</tool_call><tool_call>{\"name\":\"get_weather\",\"arguments\":{}}",
                "<tool_call>{\"name\":\"now\",\"arguments\":{}}</tool_call>trailing words",
                "<tool_ca",
                "[TOOL_CALLS] [{\"name\":\"now\",\"arguments\":{}}, {\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}]",
                "Let me see [TOOL_CALLS] {\"name\":\"now\"}",
                "a [b] [TOOL_C",
                "  ",
                "");
        Random random = new Random(7);
        for (ToolCallFormat f : ToolCallFormat.values()) {
            for (boolean parallel : new boolean[] {true, false}) {
                AutoTools tools = new AutoTools(List.of(JSON.createObjectNode().put("name", "now"),
                        JSON.createObjectNode().put("name", "get_weather")), parallel);
                for (String answer : answers) {
                    ToolCallFormat.Parsed whole = tools.parse(f, answer);
                    for (int round = 0; round < 20; round++) {
                        ToolCallStream stream = new ToolCallStream(tools, f);
                        StringBuilder sent = new StringBuilder();
                        int at = 0;
                        while (at < answer.length()) {
                            int next = Math.min(answer.length(), at + 1 + random.nextInt(4));
                            sent.append(stream.add(answer.substring(at, next), List.of()));
                            at = next;
                        }
                        ToolCallFormat.Parsed rest = stream.finish();
                        if (rest.content() != null) {
                            sent.append(rest.content());
                        }
                        String content = sent.isEmpty() && whole.content() == null ? null : sent.toString();
                        assertThat(new ToolCallFormat.Parsed(content, rest.calls())).as("%s %s", f, answer).isEqualTo(whole);
                    }
                }
            }
        }
    }

    @Test
    void withoutParallelCallsOnlyTheFirstCallIsKept() {
        AutoTools one = new AutoTools(List.of(JSON.createObjectNode().put("name", "now")), false);
        assertThat(one.parse(ToolCallFormat.JSON, "{\"name\":\"now\"}; {\"name\":\"now\",\"parameters\":{\"tz\":\"UTC\"}}").calls())
                .containsExactly(call("now", "{}"));
        List<String> names = new ArrayList<>(one.names());
        assertThat(names).containsExactly("now");
    }
}
