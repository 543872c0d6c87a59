package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatTemplate.Message> CONVERSATION = List.of(
            new ChatTemplate.Message("user", "Weather in Paris?"),
            new ChatTemplate.Message("assistant", "", List.of(new ChatTemplate.ToolCall("get_weather", "{\"city\":\"Paris\"}"))),
            new ChatTemplate.Message("tool", "sunny"));

    @Test
    void theFamilyIsRecognisedByItsMarkers() {
        assertThat(ChatTemplate.detect("{{ '<|start_header_id|>' + role }}")).isEqualTo(ChatTemplate.LLAMA3);
        assertThat(ChatTemplate.detect("{{ '<|im_start|>' + role }}")).isEqualTo(ChatTemplate.CHATML);
        assertThat(ChatTemplate.detect("[INST] {{ content }}")).isEqualTo(ChatTemplate.LLAMA2);
        assertThat(ChatTemplate.detect("[AVAILABLE_TOOLS] {{ tools }}[/AVAILABLE_TOOLS][INST] {{ content }}")).isEqualTo(ChatTemplate.MISTRAL);
        assertThat(ChatTemplate.detect("{{ content }}")).isEqualTo(ChatTemplate.PLAIN);
        assertThat(ChatTemplate.detect(null)).isEqualTo(ChatTemplate.PLAIN);
    }

    @Test
    void llama3ShowsEarlierCallsAsJsonAndToolResultsUnderIpython() {
        assertThat(ChatTemplate.LLAMA3.render(CONVERSATION)).isEqualTo(
                "<|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\":\"Paris\"}}<|eot_id|>"
                        + "<|start_header_id|>ipython<|end_header_id|>\n\nsunny<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void chatMlShowsEarlierCallsInToolCallTagsAndToolResultsAsATaggedUserTurn() {
        assertThat(ChatTemplate.CHATML.render(CONVERSATION)).isEqualTo(
                "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                        + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call><|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void mistralShowsTheFunctionsBeforeTheLastUserTurnAndCallsAndResultsWithItsMarkers() {
        List<ChatTemplate.Message> messages = new java.util.ArrayList<>(List.of(new ChatTemplate.Message("system", "Be brief.")));
        messages.addAll(CONVERSATION);
        messages.add(new ChatTemplate.Message("user", "And Oslo?"));
        messages = ToolCallFormat.MISTRAL.prompt(messages, List.of(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("name", "get_weather")));
        assertThat(ChatTemplate.MISTRAL.render(messages)).isEqualTo(
                "[INST] Weather in Paris?[/INST]"
                        + "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}]</s>"
                        + "[TOOL_RESULTS] {\"content\": \"sunny\"} [/TOOL_RESULTS]"
                        + "[AVAILABLE_TOOLS] [{\"type\": \"function\", \"function\": {\"name\":\"get_weather\"}}][/AVAILABLE_TOOLS]"
                        + "[INST] Be brief.\n\nAnd Oslo?[/INST]");
    }

    @Test
    void aDeveloperMessageIsShownAsTheSystemMessage() {
        List<ChatTemplate.Message> developer = List.of(new ChatTemplate.Message("developer", "Be brief."), new ChatTemplate.Message("user", "Hi"));
        List<ChatTemplate.Message> system = List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Hi"));
        for (ChatTemplate t : ChatTemplate.values()) {
            assertThat(t.render(developer)).as(t.name()).isEqualTo(t.render(system));
        }
        assertThat(ChatTemplate.LLAMA2.render(developer)).isEqualTo("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]");
    }

    @Test
    void anAssistantTurnWithTextAndSeveralCallsShowsThemAll() {
        ChatTemplate.Message turn = new ChatTemplate.Message("assistant", "Checking.",
                List.of(new ChatTemplate.ToolCall("a", "{}"), new ChatTemplate.ToolCall("b", "")));
        assertThat(ChatTemplate.PLAIN.render(List.of(turn)))
                .isEqualTo("assistant: Checking.\n{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {}}\nassistant:");
        assertThat(ChatTemplate.CHATML.render(List.of(turn))).contains(
                "Checking.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>");
    }
}
