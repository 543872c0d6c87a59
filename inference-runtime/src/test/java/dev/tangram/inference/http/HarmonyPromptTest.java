package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gpt-oss's prompts. Each expected text is what gpt-oss's own chat template (llama.cpp's copy,
 * {@code models/templates/openai-gpt-oss-120b.jinja}) renders for the same chat through transformers' Jinja renderer
 * (transformers 5.18, {@code render_jinja_template}, with today's date 2026-11-25), the function's arguments given as an
 * object.
 */
class HarmonyPromptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate TODAY = LocalDate.of(2026, 11, 25);

    @Test
    void aSystemMessageBecomesTheDevelopersInstructions() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Hi"));
        assertThat(HarmonyPrompt.render(chat, "medium", TODAY)).isEqualTo(PLAIN);
    }

    @Test
    void earlierAnswersAreFinalMessagesAndTheEffortIsStated() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Hi"), new ChatTemplate.Message("assistant", "Hello!"),
                new ChatTemplate.Message("user", "2+2?"));
        assertThat(HarmonyPrompt.render(chat, "high", TODAY)).isEqualTo(TURNS);
    }

    @Test
    void functionsAreATypeScriptNamespaceAndACallItsOwnMessage() throws Exception {
        JsonNode weather = JSON.readTree("""
                {"name": "get_weather", "description": "Today's weather in a city", "parameters": {"type": "object", "properties": {
                  "location": {"type": "string", "description": "The city"},
                  "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
                  "days": {"type": "integer"},
                  "tags": {"type": "array", "items": {"type": "string"}},
                  "when": {"type": ["string", "null"]}},
                  "required": ["location"]}}""");
        JsonNode now = JSON.readTree("{\"name\": \"now\", \"description\": \"The time\"}");
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Weather in Paris?"),
                new ChatTemplate.Message("assistant", "", List.of(new ChatTemplate.ToolCall("get_weather", "{\"location\": \"Paris\"}")),
                        "I need the weather."),
                new ChatTemplate.Message("tool", "sunny, \"22\" C"));
        assertThat(HarmonyPrompt.render(ToolCallFormat.HARMONY.prompt(chat, List.of(weather, now)), "medium", TODAY)).isEqualTo(TOOLS);
    }

    /**
     * Beyond the template: each of several calls is written (it writes the first), each result named after its call (it
     * names every result after the last call); an answer sent back with its Harmony markers is read back. The calls'
     * reasoning is left out, as the template leaves it, since an answer follows.
     */
    @Test
    void severalCallsAreEachWrittenAndTheirResultsMatchedInOrder() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Time and weather?"),
                new ChatTemplate.Message("assistant", "", List.of(new ChatTemplate.ToolCall("now", "{}"), new ChatTemplate.ToolCall("get_weather", "{}")),
                        "Check both."),
                new ChatTemplate.Message("tool", "noon"), new ChatTemplate.Message("tool", "rain"),
                new ChatTemplate.Message("assistant", "<|channel|>analysis<|message|>Both known.<|end|>Noon, rain."));
        assertThat(HarmonyPrompt.render(chat, "low", TODAY)).endsWith("<|start|>user<|message|>Time and weather?<|end|>"
                + "<|start|>assistant to=functions.now<|channel|>commentary json<|message|>{}<|call|>"
                + "<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{}<|call|>"
                + "<|start|>functions.now to=assistant<|channel|>commentary<|message|>\"noon\"<|end|>"
                + "<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>\"rain\"<|end|>"
                + "<|start|>assistant<|channel|>final<|message|>Noon, rain.<|end|><|start|>assistant");
    }

    @Test
    void aToolResultWithNoCallBeforeItIsA400() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Hi"), new ChatTemplate.Message("tool", "42"));
        assertThatThrownBy(() -> HarmonyPrompt.render(chat, "medium", TODAY)).isInstanceOf(ApiError.class)
                .hasMessageContaining("role 'tool' must follow an assistant message with 'tool_calls'");
    }

    private static final String PLAIN = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2026-11-25\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>"
                + "<|start|>developer<|message|># Instructions\n\nBe brief.\n\n<|end|>"
                + "<|start|>user<|message|>Hi<|end|>"
                + "<|start|>assistant";
    private static final String TURNS = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2026-11-25\n\nReasoning: high\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>"
                + "<|start|>user<|message|>Hi<|end|>"
                + "<|start|>assistant<|channel|>final<|message|>Hello!<|end|>"
                + "<|start|>user<|message|>2+2?<|end|>"
                + "<|start|>assistant";
    private static final String TOOLS = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2026-11-25\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|>"
                + "<|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {\n\n// Today's weather in a city\ntype get_weather = (_: {\n// The city\nlocation: string,\nunit?: \"celsius\" | \"fahrenheit\", // default: celsius,\ndays?: number,\ntags?: string[],\nwhen?: string | null,\n}) => any;\n\n// The time\ntype now = () => any;\n\n} // namespace functions<|end|>"
                + "<|start|>user<|message|>Weather in Paris?<|end|>"
                + "<|start|>assistant<|channel|>analysis<|message|>I need the weather.<|end|>"
                + "<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"location\": \"Paris\"}<|call|>"
                + "<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>\"sunny, \\\"22\\\" C\"<|end|>"
                + "<|start|>assistant";
}
