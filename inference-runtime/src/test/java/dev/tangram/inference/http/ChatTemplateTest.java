package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatTemplate.Message> CONVERSATION = List.of(
            new ChatTemplate.Message("user", "Weather in Paris?"),
            new ChatTemplate.Message("assistant", "", List.of(new ChatTemplate.ToolCall("get_weather", "{\"city\":\"Paris\"}"))),
            new ChatTemplate.Message("tool", "sunny"));
    /** A system message, two user turns, an answer and a tool's result between them. */
    private static final List<ChatTemplate.Message> SHORT_CHAT = List.of(new ChatTemplate.Message("system", "Be brief."),
            new ChatTemplate.Message("user", "Hi"), new ChatTemplate.Message("assistant", "Hello."), new ChatTemplate.Message("tool", "42"),
            new ChatTemplate.Message("user", "Bye"));

    @Test
    void theFamilyIsRecognisedByItsMarkers() {
        assertThat(ChatTemplate.detect("{{ '<|start_header_id|>' + role }}")).isEqualTo(ChatTemplate.LLAMA3);
        assertThat(ChatTemplate.detect("{{ '<|im_start|>' + role }}")).isEqualTo(ChatTemplate.CHATML);
        assertThat(ChatTemplate.detect("[INST] {{ content }}")).isEqualTo(ChatTemplate.LLAMA2);
        assertThat(ChatTemplate.detect("[AVAILABLE_TOOLS] {{ tools }}[/AVAILABLE_TOOLS][INST] {{ content }}")).isEqualTo(ChatTemplate.MISTRAL);
        assertThat(ChatTemplate.detect("{{- '[SYSTEM_PROMPT]' + system_message + '[/SYSTEM_PROMPT]' }}{{- '[INST]' + content + '[/INST]' }}"
                + "[AVAILABLE_TOOLS][TOOL_CALLS]")).isEqualTo(ChatTemplate.MISTRAL_V7);
        assertThat(ChatTemplate.detect("{{- \"[AVAILABLE_TOOLS][\" }}{{- \"[INST]\" + message[\"content\"] + \"[/INST]\" }}"))
                .isEqualTo(ChatTemplate.MISTRAL_TEKKEN);
        assertThat(ChatTemplate.detect("{{- '<|start_of_role|>' + message['role'] + '<|end_of_role|>' }}")).isEqualTo(ChatTemplate.GRANITE);
        assertThat(ChatTemplate.detect("{{'<\uFF5CUser\uFF5C>' + c}}{{'<\uFF5CAssistant\uFF5C>' + c + '<\uFF5Cend\u2581of\u2581sentence\uFF5C>'}}"))
                .isEqualTo(ChatTemplate.DEEPSEEK);
        assertThat(ChatTemplate.detect("[gMASK]<sop>{% for item in messages %}<|{{ item['role'] }}|>\n{{ item['content'] }}{% endfor %}"))
                .isEqualTo(ChatTemplate.GLM4);
        assertThat(ChatTemplate.detect("[|system|]{{ s }}[|endofturn|]\n[|user|]{{ u }}\n[|assistant|]{{ a }}[|endofturn|]\n[|tool|]"))
                .isEqualTo(ChatTemplate.EXAONE4);
        assertThat(ChatTemplate.detect("{{- '<|start|>' + message.role }}{{- '<|channel|>analysis<|message|>' + thinking + '<|end|>' }}"))
                .isEqualTo(ChatTemplate.HARMONY);
        assertThat(ChatTemplate.detect("{{ content }}")).isEqualTo(ChatTemplate.PLAIN);
        assertThat(ChatTemplate.detect(null)).isEqualTo(ChatTemplate.PLAIN);
    }

    /**
     * Qwen2.5's template writes a fixed system turn when a chat has none; the part of it that matters here, as its
     * tokenizer_config.json holds it (each {@code \n} in the template is a backslash and an n).
     */
    private static final String QWEN25_SYSTEM_PART = "{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n"
            + "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n"
            + "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
            + "    {%- endif %}\n{%- endif %}";

    @Test
    void aChatMlTemplatesFixedSystemTurnIsItsDefaultSystemPrompt() {
        assertThat(ChatTemplate.defaultSystemPrompt(QWEN25_SYSTEM_PART))
                .contains("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
        // a system turn built from the messages is not a default; nor is anything in another family's template
        assertThat(ChatTemplate.defaultSystemPrompt("{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"))
                .isEmpty();
        assertThat(ChatTemplate.defaultSystemPrompt("{{ '<|start_header_id|>system<|end_header_id|>\\n\\nYou are helpful.<|eot_id|>' }}"))
                .isEmpty();
        assertThat(ChatTemplate.defaultSystemPrompt(null)).isEmpty();
        // an escaped newline inside the fixed text becomes a newline
        assertThat(ChatTemplate.defaultSystemPrompt("{{- '<|im_start|>system\\nLine one.\\nLine two.<|im_end|>\\n' }}"))
                .contains("Line one.\nLine two.");
    }

    /** The default goes first only where a chat has no system (or developer) message of its own. */
    @Test
    void theDefaultSystemPromptGoesFirstOnlyWhereAChatHasNone() {
        ServingModel qwen = new ServingModel("m", null, ChatTemplate.CHATML, 2048, 2048, "You are Qwen.", ChatTemplate.NO_THINKING,
                ReasoningFormat.AUTO);
        List<ChatTemplate.Message> user = List.of(new ChatTemplate.Message("user", "Hi"));
        assertThat(ChatTemplate.CHATML.render(qwen.withDefaultSystem(user)))
                .isEqualTo("<|im_start|>system\nYou are Qwen.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        List<ChatTemplate.Message> own = List.of(new ChatTemplate.Message("system", "Be brief."), user.getFirst());
        assertThat(qwen.withDefaultSystem(own)).isEqualTo(own);
        List<ChatTemplate.Message> developer = List.of(new ChatTemplate.Message("developer", "Be brief."), user.getFirst());
        assertThat(qwen.withDefaultSystem(developer)).isEqualTo(developer);
        assertThat(new ServingModel("m", null, ChatTemplate.CHATML, 2048, 2048).withDefaultSystem(user)).isEqualTo(user);
    }

    /**
     * The parts of reasoning models' templates that matter here, written the way their tokenizer_config.json holds them
     * (each {@code \n} in a string literal is a backslash and an n): Qwen3's generation prompt (its empty block where
     * thinking is off) and its reading of {@code reasoning_content}; QwQ's generation prompt, which opens the block; the
     * R1 distills' turn markers and generation prompt.
     */
    private static final String QWEN3_PARTS = "{{- '<|im_start|>' + message.role + '\\n<think>\\n' + reasoning_content.strip('\\n') }}"
            + "{%- if message.reasoning_content is defined %}{%- endif %}"
            + "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n"
            + "    {%- if enable_thinking is defined and enable_thinking is false %}\n        {{- '<think>\\n\\n</think>\\n\\n' }}\n"
            + "    {%- endif %}\n{%- endif %}";
    private static final String QWQ_PARTS = "{%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}"
            + "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n<think>\\n' }}\n{%- endif %}";
    private static final String R1_PARTS = "{{'<\uFF5CUser\uFF5C>' + message['content']}}{{'<\uFF5CAssistant\uFF5C>' + content + "
            + "'<\uFF5Cend\u2581of\u2581sentence\uFF5C>'}}{%- if add_generation_prompt and not ns.is_tool -%}{{'<\uFF5CAssistant\uFF5C><think>\\n'}}";

    @Test
    void whatATemplateDoesWithReasoningIsReadFromIt() {
        assertThat(ChatTemplate.thinking(QWEN3_PARTS)).isEqualTo(new ChatTemplate.Thinking(true, true, false, "<think>\n\n</think>\n\n", true));
        assertThat(ChatTemplate.thinking(QWQ_PARTS)).isEqualTo(new ChatTemplate.Thinking(true, false, true, "<think>\n</think>", false));
        assertThat(ChatTemplate.detect(R1_PARTS)).isEqualTo(ChatTemplate.DEEPSEEK);
        assertThat(ChatTemplate.thinking(R1_PARTS)).isEqualTo(new ChatTemplate.Thinking(true, false, true, "<think>\n</think>", false));
        assertThat(ChatTemplate.thinking(QWEN25_SYSTEM_PART)).isEqualTo(ChatTemplate.NO_THINKING);
        assertThat(ChatTemplate.thinking(null)).isEqualTo(ChatTemplate.NO_THINKING);
        // <think> in another family's template is not read
        assertThat(ChatTemplate.thinking("{{ '<|start_header_id|>' }}{% if enable_thinking %}<think>{% endif %}")).isEqualTo(ChatTemplate.NO_THINKING);
    }

    private static ServingModel reasoningModel(ChatTemplate family, String jinja) {
        return new ServingModel("m", null, family, 2048, 2048, null, ChatTemplate.thinking(jinja), ReasoningFormat.AUTO);
    }

    /**
     * Qwen3's {@code enable_thinking}: only {@code false} changes the prompt (an empty reasoning block after the assistant
     * header, as that template writes it), and only for a template that has the switch; a template that opens the block
     * ends the prompt with it.
     */
    @Test
    void theGenerationPromptIsWhatTheTemplateWritesForThinking() {
        ServingModel qwen3 = reasoningModel(ChatTemplate.CHATML, QWEN3_PARTS);
        List<ChatTemplate.Message> user = List.of(new ChatTemplate.Message("user", "Hi"));
        String plain = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
        assertThat(qwen3.render(user, false, null)).isEqualTo(plain + "<think>\n\n</think>\n\n");
        assertThat(qwen3.render(user, true, null)).isEqualTo(plain);
        assertThat(qwen3.render(user, null, null)).isEqualTo(plain);
        assertThat(new ServingModel("m", null, ChatTemplate.CHATML, 2048, 2048).render(user, false, null)).isEqualTo(plain);
        ServingModel qwq = reasoningModel(ChatTemplate.CHATML, QWQ_PARTS);
        assertThat(qwq.render(user, null, null)).isEqualTo(plain + "<think>\n");
        assertThat(qwq.render(user, false, null)).as("no switch in the template").isEqualTo(plain + "<think>\n");
        ServingModel switchable = reasoningModel(ChatTemplate.CHATML, QWQ_PARTS + "{%- if not enable_thinking -%}{{- '</think>' -}}{%- endif -%}");
        assertThat(switchable.render(user, false, null)).isEqualTo(plain + "<think>\n</think>");
    }

    /**
     * Qwen3's template: answers before the last user message are shown without their reasoning; those after it (a tool
     * loop) with it, from {@code reasoning_content} or from their content, in a {@code <think>} block.
     */
    @Test
    void qwen3ShowsOnlyTheReasoningOfAnswersAfterTheLastUserMessage() {
        ServingModel qwen3 = reasoningModel(ChatTemplate.CHATML, QWEN3_PARTS);
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "2+2?"),
                new ChatTemplate.Message("assistant", "<think>\nAdd them.\n</think>\n\n4"),
                new ChatTemplate.Message("user", "Weather in Paris?"),
                new ChatTemplate.Message("assistant", "", List.of(new ChatTemplate.ToolCall("get_weather", "{}")), "\nLook it up.\n"),
                new ChatTemplate.Message("tool", "sunny"),
                new ChatTemplate.Message("assistant", "<think>Sunny.</think>\n\nIt is sunny."),
                new ChatTemplate.Message("tool", "warm"));
        assertThat(qwen3.render(chat, null, null)).isEqualTo("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nLook it up.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nSunny.\n</think>\n\nIt is sunny.<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\nwarm\n</tool_response><|im_end|>\n<|im_start|>assistant\n");
        // a template that writes no reasoning shows every answer as sent
        assertThat(new ServingModel("m", null, ChatTemplate.CHATML, 2048, 2048).render(chat, null, null)).contains("Add them.");
    }

    /** QwQ's and R1's templates show no answer's reasoning, whether in the content or in reasoning_content. */
    @Test
    void qwqAndR1ShowNoAnswersReasoning() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "2+2?"),
                new ChatTemplate.Message("assistant", "Add them.\n</think>\n\n4"),
                new ChatTemplate.Message("user", "Times 3?"),
                new ChatTemplate.Message("assistant", "12", List.of(), "Multiply."));
        assertThat(reasoningModel(ChatTemplate.CHATML, QWQ_PARTS).render(chat, null, null)).isEqualTo(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                        + "<|im_start|>user\nTimes 3?<|im_end|>\n<|im_start|>assistant\n12<|im_end|>\n<|im_start|>assistant\n<think>\n");
        // R1's: the system message first, full-width markers, the answer after </think> with its newlines
        assertThat(reasoningModel(ChatTemplate.DEEPSEEK, R1_PARTS).render(chat, null, null)).isEqualTo("Be brief.<\uFF5CUser\uFF5C>2+2?"
                + "<\uFF5CAssistant\uFF5C>\n\n4<\uFF5Cend\u2581of\u2581sentence\uFF5C><\uFF5CUser\uFF5C>Times 3?"
                + "<\uFF5CAssistant\uFF5C>12<\uFF5Cend\u2581of\u2581sentence\uFF5C><\uFF5CAssistant\uFF5C><think>\n");
    }

    /** R1's tool results: a run of them between its tool-output markers, one per line. */
    @Test
    void deepSeekShowsARunOfToolResultsBetweenItsMarkers() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Weather?"), new ChatTemplate.Message("tool", "sunny"),
                new ChatTemplate.Message("tool", "warm"));
        assertThat(ChatTemplate.DEEPSEEK.render(chat)).isEqualTo("<\uFF5CUser\uFF5C>Weather?<\uFF5Ctool\u2581outputs\u2581begin\uFF5C>"
                + "<\uFF5Ctool\u2581output\u2581begin\uFF5C>sunny<\uFF5Ctool\u2581output\u2581end\uFF5C>\n"
                + "<\uFF5Ctool\u2581output\u2581begin\uFF5C>warm<\uFF5Ctool\u2581output\u2581end\uFF5C>"
                + "<\uFF5Ctool\u2581outputs\u2581end\uFF5C><\uFF5CAssistant\uFF5C>");
    }

    @Test
    void reasoningFormatAndReasoningContentAreReadAndCheckedForType() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(RequestParser.reasoningFormat(json.readTree("{\"reasoning_format\":\"none\"}"))).isEqualTo(ReasoningFormat.NONE);
        assertThat(RequestParser.reasoningFormat(json.readTree("{\"reasoning_format\":\"deepseek\"}"))).isEqualTo(ReasoningFormat.AUTO);
        assertThat(RequestParser.reasoningFormat(json.readTree("{}"))).isNull();
        ApiError unknown = org.assertj.core.api.Assertions.catchThrowableOfType(ApiError.class,
                () -> RequestParser.reasoningFormat(json.readTree("{\"reasoning_format\":\"inline\"}")));
        assertThat(unknown.getMessage()).isEqualTo("'reasoning_format': expected auto, deepseek or none, got 'inline'");
        assertThat(unknown.param()).isEqualTo("reasoning_format");
        List<ChatTemplate.Message> messages = RequestParser.messages(json.readTree(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\",\"reasoning_content\":\"Greet.\"}]}"));
        assertThat(messages.get(1).reasoning()).isEqualTo("Greet.");
        assertThat(messages.get(0).reasoning()).isNull();
        ApiError notText = org.assertj.core.api.Assertions.catchThrowableOfType(ApiError.class, () -> RequestParser.messages(json.readTree(
                "{\"messages\":[{\"role\":\"assistant\",\"content\":\"Hello\",\"reasoning_content\":1}]}")));
        assertThat(notText.getMessage()).isEqualTo("messages[0].reasoning_content must be a string");
    }

    @Test
    void chatTemplateKwargsAreReadForEnableThinkingAndCheckedForType() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(RequestParser.enableThinking(json.readTree("{\"chat_template_kwargs\":{\"enable_thinking\":false}}"))).isFalse();
        assertThat(RequestParser.enableThinking(json.readTree("{\"chat_template_kwargs\":{\"other\":1}}"))).isNull();
        assertThat(RequestParser.enableThinking(json.readTree("{}"))).isNull();
        ApiError notObject = org.assertj.core.api.Assertions.catchThrowableOfType(ApiError.class,
                () -> RequestParser.enableThinking(json.readTree("{\"chat_template_kwargs\":true}")));
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.param()).isEqualTo("chat_template_kwargs");
        ApiError notBoolean = org.assertj.core.api.Assertions.catchThrowableOfType(ApiError.class,
                () -> RequestParser.enableThinking(json.readTree("{\"chat_template_kwargs\":{\"enable_thinking\":\"no\"}}")));
        assertThat(notBoolean.getMessage()).isEqualTo("'chat_template_kwargs.enable_thinking' must be a boolean");
    }

    /** Gemma's turns, as llama.cpp's own test expects them: the system text before the first user turn's, "model" turns. */
    @Test
    void gemmaMergesTheSystemMessageIntoTheFirstUserTurn() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "You are a helpful assistant"),
                new ChatTemplate.Message("user", "Hello"), new ChatTemplate.Message("assistant", "Hi there"),
                new ChatTemplate.Message("user", "Who are you"), new ChatTemplate.Message("assistant", "   I am an assistant   "),
                new ChatTemplate.Message("user", "Another question"));
        assertThat(ChatTemplate.detect("{{ '<start_of_turn>' + role + '\\n' }}")).isEqualTo(ChatTemplate.GEMMA);
        assertThat(ChatTemplate.GEMMA.render(chat)).isEqualTo("<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n"
                + "<start_of_turn>model\nHi there<end_of_turn>\n<start_of_turn>user\nWho are you<end_of_turn>\n"
                + "<start_of_turn>model\nI am an assistant<end_of_turn>\n<start_of_turn>user\nAnother question<end_of_turn>\n"
                + "<start_of_turn>model\n");
    }

    /** Phi-3's turns, as llama.cpp writes them: each role between its markers, the text, {@code <|end|>} and a newline. */
    @Test
    void phi3WritesEachTurnBetweenItsRoleMarkersAndEnd() {
        assertThat(ChatTemplate.detect("{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>\\n'}}{{ '<|assistant|>\\n' }}"))
                .isEqualTo(ChatTemplate.PHI3);
        assertThat(ChatTemplate.PHI3.render(List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Hi"),
                new ChatTemplate.Message("assistant", "Hello"), new ChatTemplate.Message("user", "Bye"))))
                .isEqualTo("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n");
    }

    /** Granite 3's turns, as llama.cpp writes them: role markers, the text, end of text and a newline; then the assistant's role. */
    @Test
    void graniteWritesEachTurnBetweenItsRoleMarkersAndEndOfText() {
        assertThat(ChatTemplate.GRANITE.render(List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Hi"))))
                .isEqualTo("<|start_of_role|>system<|end_of_role|>Be brief.<|end_of_text|>\n"
                        + "<|start_of_role|>user<|end_of_role|>Hi<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|>");
        assertThat(ToolCallFormat.of(ChatTemplate.GRANITE)).isEqualTo(ToolCallFormat.JSON);
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

    /** GLM-4's turns as llama.cpp writes them: [gMASK]<sop> once, then each role between its markers and a newline. */
    @Test
    void glm4WritesEachTurnAfterItsRoleMarkerAndANewline() {
        assertThat(ChatTemplate.GLM4.render(SHORT_CHAT)).isEqualTo("[gMASK]<sop><|system|>\nBe brief.<|user|>\nHi<|assistant|>\nHello."
                + "<|tool|>\n42<|user|>\nBye<|assistant|>\n");
    }

    /** EXAONE 4's turns as llama.cpp writes them: trimmed, [|endofturn|] after all but the user's, which end a line. */
    @Test
    void exaone4WritesTrimmedTurnsClosedByEndOfTurnButTheUsers() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", " Be brief. "), new ChatTemplate.Message("user", "Hi\n"),
                new ChatTemplate.Message("assistant", "Hello."), new ChatTemplate.Message("tool", "42"), new ChatTemplate.Message("user", "Bye"));
        assertThat(ChatTemplate.EXAONE4.render(chat)).isEqualTo("[|system|]Be brief.[|endofturn|]\n[|user|]Hi\n[|assistant|]Hello.[|endofturn|]\n"
                + "[|tool|]42[|endofturn|]\n[|user|]Bye\n[|assistant|]");
    }

    /** Mistral NeMo's v3-tekken turns: v0.3's, without the space after each marker. */
    @Test
    void mistralTekkenWritesV3TurnsWithoutTheSpaceAfterTheMarkers() {
        assertThat(ChatTemplate.MISTRAL_TEKKEN.render(SHORT_CHAT))
                .isEqualTo("[INST]Hi[/INST]Hello.</s>[TOOL_RESULTS]{\"content\": \"42\"}[/TOOL_RESULTS][INST]Be brief.\n\nBye[/INST]");
        assertThat(ChatTemplate.MISTRAL.render(SHORT_CHAT))
                .isEqualTo("[INST] Hi[/INST]Hello.</s>[TOOL_RESULTS] {\"content\": \"42\"} [/TOOL_RESULTS][INST] Be brief.\n\nBye[/INST]");
        assertThat(ToolCallFormat.of(ChatTemplate.MISTRAL_TEKKEN)).isEqualTo(ToolCallFormat.MISTRAL);
    }

    /**
     * Mistral's v7-tekken format (Mistral Small 3's model card: {@code <s>[SYSTEM_PROMPT]<system prompt>[/SYSTEM_PROMPT]
     * [INST]<user message>[/INST]<assistant response></s>[INST]<user message>[/INST]}, BOS from the tokenizer): the
     * system prompt first in its own block, no spaces around the markers; the functions before the last user turn, calls
     * and results with Mistral's markers.
     */
    @Test
    void mistralV7WritesTheSystemPromptInItsOwnBlockAndNoSpacesAroundTheMarkers() {
        assertThat(ChatTemplate.MISTRAL_V7.render(SHORT_CHAT)).isEqualTo("[SYSTEM_PROMPT]Be brief.[/SYSTEM_PROMPT][INST]Hi[/INST]Hello.</s>"
                + "[TOOL_RESULTS]{\"content\": \"42\"}[/TOOL_RESULTS][INST]Bye[/INST]");
        List<ChatTemplate.Message> messages = new java.util.ArrayList<>(CONVERSATION);
        messages.add(new ChatTemplate.Message("user", "And Oslo?"));
        messages = ToolCallFormat.of(ChatTemplate.MISTRAL_V7).prompt(messages, List.of(new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode().put("name", "get_weather")));
        assertThat(ChatTemplate.MISTRAL_V7.render(messages)).isEqualTo(
                "[INST]Weather in Paris?[/INST]"
                        + "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}]</s>"
                        + "[TOOL_RESULTS]{\"content\": \"sunny\"}[/TOOL_RESULTS]"
                        + "[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\":\"get_weather\"}}][/AVAILABLE_TOOLS]"
                        + "[INST]And Oslo?[/INST]");
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
