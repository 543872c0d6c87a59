package dev.tangram.inference.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.metrics.PrometheusSchedulerMetrics;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.scheduler.ContinuousBatchScheduler;
import dev.tangram.inference.scheduler.EngineLoop;
import dev.tangram.inference.scheduler.SchedulerSettings;
import dev.tangram.inference.scheduler.TokenSampler;
import dev.tangram.inference.testing.ScriptedForwardPass;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tool_choice} "auto" end to end for a ChatML (Hermes-style) model, over real HTTP: a scripted model writes a call
 * in {@code <tool_call>} tags after some text, on the generated model's real byte-level vocabulary.
 */
@Timeout(60)
class AutoToolCallsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":"
            + "\"today's weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
    @TempDir
    static Path dir;
    private static Tokenizer tokenizer;
    /** A gpt-oss model's vocabulary, with Harmony's control tokens. */
    private static Tokenizer harmony;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void vocabulary() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        try (GgufFile g = GgufFile.open(file)) {
            tokenizer = GgufTokenizerReader.read(g.metadata());
        }
        Path oss = dir.resolve("gpt-oss.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.GPT_OSS, 16, false, new Experts(4, 2, 32)), oss);
        try (GgufFile g = GgufFile.open(oss)) {
            harmony = GgufTokenizerReader.read(g.metadata());
            assertThat(ChatTemplate.detect(g.metadata().findString("tokenizer.chat_template").orElseThrow())).isEqualTo(ChatTemplate.HARMONY);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private OpenAiServer server(String answer) {
        return server(answer, ChatTemplate.CHATML);
    }

    private OpenAiServer server(String answer, ChatTemplate template) {
        return server(answer, template, null);
    }

    private OpenAiServer server(String answer, ChatTemplate template, String defaultSystem) {
        return server(answer, template, defaultSystem, ChatTemplate.NO_THINKING);
    }

    private OpenAiServer server(String answer, ChatTemplate template, String defaultSystem, ChatTemplate.Thinking thinking) {
        return server(answer, template == ChatTemplate.HARMONY ? harmony : tokenizer, template, defaultSystem, thinking);
    }

    private OpenAiServer server(String answer, Tokenizer tokenizer, ChatTemplate template, String defaultSystem, ChatTemplate.Thinking thinking) {
        ScriptedForwardPass model = new ScriptedForwardPass(tokenizer.vocabSize(), tokenizer.encode(answer, false), tokenizer.eos());
        PrometheusSchedulerMetrics metrics = new PrometheusSchedulerMetrics("tiny");
        ContinuousBatchScheduler scheduler = new ContinuousBatchScheduler(model, new PagedKvCache(model.config(), 256, 16),
                new SchedulerSettings(512, 4, 8, 2048), TokenSampler.perRequest(tokenizer), tokenizer::isEndOfGeneration, metrics);
        metrics.bind(scheduler);
        EngineLoop engine = new EngineLoop(scheduler).start();
        OpenAiServer server = new OpenAiServer(metrics, "127.0.0.1", 0).start();
        open.add(server);
        open.add(engine);
        server.ready(new OpenAiServer.Backend(new ServingModel("tiny", tokenizer, template, 2048, 256 * 16, defaultSystem, thinking,
                ReasoningFormat.AUTO), engine));
        return server;
    }

    private String post(OpenAiServer s, String body) throws Exception {
        HttpResponse<String> r = send(s, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> send(OpenAiServer s, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String request(String extra) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"temperature\":0,\"max_tokens\":200" + extra + "}";
    }

    @Test
    void aCallTheModelChoseToMakeComesBackAsToolCallsAfterItsText() throws Exception {
        OpenAiServer s = server(ANSWER);
        JsonNode choice = JSON.readTree(post(s, request("," + TOOLS))).at("/choices/0");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.at("/message/content").asText()).isEqualTo("Let me look.\n");
        JsonNode call = choice.at("/message/tool_calls/0");
        assertThat(call.get("id").asText()).startsWith("call_");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(call.at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(choice.at("/message/tool_calls")).hasSize(1);

        // without tools, or with "none", the same answer is just text
        for (String extra : List.of("", "," + TOOLS + ",\"tool_choice\":\"none\"")) {
            JsonNode plain = JSON.readTree(post(s, request(extra))).at("/choices/0");
            assertThat(plain.at("/message/content").asText()).isEqualTo(ANSWER);
            assertThat(plain.at("/message/tool_calls").isMissingNode()).isTrue();
            assertThat(plain.get("finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void streamedTheTextGoesOutAsItComesAndTheCallInOnePieceAtTheEnd() throws Exception {
        OpenAiServer s = server(ANSWER);
        Streamed streamed = Streamed.of(post(s, request("," + TOOLS + ",\"stream\":true,\"logprobs\":true")));
        List<JsonNode> calls = streamed.calls();
        assertThat(streamed.content()).isEqualTo("Let me look.\n");
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().get("index").asInt()).isZero();
        assertThat(calls.getFirst().get("id").asText()).startsWith("call_");
        assertThat(calls.getFirst().at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(calls.getFirst().at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(streamed.finish()).isEqualTo("tool_calls");
        assertThat(streamed.order()).isEqualTo("CT");
        // every generated token's log-probability went out once, with the text or with the call (not the end token)
        assertThat(streamed.logged()).isEqualTo(tokenizer.encode(ANSWER, false).length);
    }

    @Test
    void aMistralModelsCallsComeBackAsToolCallsStreamedOrNot() throws Exception {
        String answer = "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
                + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}]";
        OpenAiServer s = server(answer, ChatTemplate.MISTRAL);
        JsonNode choice = JSON.readTree(post(s, request("," + TOOLS))).at("/choices/0");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.at("/message/content").isNull()).isTrue();
        assertThat(choice.at("/message/tool_calls")).extracting(c -> c.at("/function/arguments").asText())
                .containsExactly("{\"city\":\"Paris\"}", "{\"city\":\"Oslo\"}");
        List<JsonNode> calls = new ArrayList<>();
        for (String line : post(s, request("," + TOOLS + ",\"stream\":true")).split("\n")) {
            if (line.startsWith("data: {")) {
                JSON.readTree(line.substring(6)).at("/choices/0/delta/tool_calls").forEach(calls::add);
            }
        }
        assertThat(calls).extracting(c -> c.get("index").asInt()).containsExactly(0, 1);
        assertThat(calls).extracting(c -> c.get("id").asText()).doesNotHaveDuplicates();
        // without "tools" the same answer is text, the marker included
        assertThat(JSON.readTree(post(s, request(""))).at("/choices/0/message/content").asText()).isEqualTo(answer);
    }

    @Test
    void anAnswerThatOnlyLooksLikeACallAtFirstIsSentAsText() throws Exception {
        String answer = "Use <tool_call> tags to call a tool.";
        OpenAiServer s = server(answer);
        JsonNode whole = JSON.readTree(post(s, request("," + TOOLS))).at("/choices/0");
        assertThat(whole.at("/message/content").asText()).isEqualTo(answer);
        assertThat(whole.get("finish_reason").asText()).isEqualTo("stop");

        StringBuilder streamed = new StringBuilder();
        for (String line : post(s, request("," + TOOLS + ",\"stream\":true")).split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode c = JSON.readTree(line.substring(6)).at("/choices/0");
                assertThat(c.at("/delta/tool_calls").isMissingNode()).isTrue();
                streamed.append(c.at("/delta/content").asText(""));
            }
        }
        assertThat(streamed.toString()).isEqualTo(answer);
    }

    @Test
    void theModelIsShownTheFunctionsAndTheEarlierCallsInItsOwnFormat() throws Exception {
        OpenAiServer s = server(ANSWER);
        // the prompt the server rendered is counted in usage; it must hold the tools block and the earlier call in tags
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}],\"max_tokens\":1," + TOOLS + "}";
        int prompt = JSON.readTree(post(s, body)).at("/usage/prompt_tokens").asInt();
        List<ChatTemplate.Message> messages = ToolCallFormat.HERMES.prompt(RequestParser.messages(JSON.readTree(body)),
                List.of(JSON.readTree(body).at("/tools/0/function")));
        String rendered = ChatTemplate.CHATML.render(messages);
        assertThat(rendered).contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\":\"get_weather\"")
                .contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>")
                .contains("<tool_response>\nsunny\n</tool_response>");
        assertThat(prompt).isEqualTo(tokenizer.encode(rendered, true).length);
    }

    /** Qwen3's template: reasoning in <think> blocks, enable_thinking read, recent reasoning shown. */
    private static final ChatTemplate.Thinking QWEN3 = new ChatTemplate.Thinking(true, true, false, "<think>\n\n</think>\n\n", true);
    /** R1's: the prompt opens the block. */
    private static final ChatTemplate.Thinking R1 = new ChatTemplate.Thinking(true, false, true, "<think>\n</think>", false);

    /** What a streamed choice sent: its reasoning, its text, its calls, in the order the pieces came. */
    private record Streamed(String reasoning, String content, List<JsonNode> calls, String order, int logged, String finish) {
        static Streamed of(String sse) throws Exception {
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            StringBuilder order = new StringBuilder();
            List<JsonNode> calls = new ArrayList<>();
            int logged = 0;
            String finish = null;
            for (String line : sse.split("\n")) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode c = JSON.readTree(line.substring(6)).at("/choices/0");
                String r = c.at("/delta/reasoning_content").asText("");
                String t = c.at("/delta/content").asText("");
                reasoning.append(r);
                content.append(t);
                order.append(r.isEmpty() ? "" : "R").append(t.isEmpty() ? "" : "C").append(c.at("/delta/tool_calls").isMissingNode() ? "" : "T");
                c.at("/delta/tool_calls").forEach(calls::add);
                logged += c.at("/logprobs/content").size();
                if (c.hasNonNull("finish_reason")) {
                    finish = c.get("finish_reason").asText();
                }
            }
            return new Streamed(reasoning.toString(), content.toString(), calls, order.toString().replaceAll("(.)\\1+", "$1"), logged, finish);
        }
    }

    /**
     * A reasoning model's answer comes back with its reasoning in {@code reasoning_content}, whole or streamed (all of it
     * before the answer, every token's log-probability sent once); {@code reasoning_format: none} leaves it in the content.
     */
    @Test
    void theReasoningOfAQwen3StyleModelComesBackAsReasoningContent() throws Exception {
        String answer = "<think>\nThe user greets me.\nGreet back.\n</think>\n\nHello! How can I help?";
        OpenAiServer s = server(answer, ChatTemplate.CHATML, null, QWEN3);
        JsonNode message = JSON.readTree(post(s, request(""))).at("/choices/0/message");
        assertThat(message.get("reasoning_content").asText()).isEqualTo("The user greets me.\nGreet back.");
        assertThat(message.get("content").asText()).isEqualTo("Hello! How can I help?");
        Streamed streamed = Streamed.of(post(s, request(",\"stream\":true,\"logprobs\":true")));
        assertThat(streamed.reasoning()).isEqualTo("The user greets me.\nGreet back.");
        assertThat(streamed.content()).isEqualTo("Hello! How can I help?");
        assertThat(streamed.order()).isEqualTo("RC");
        assertThat(streamed.logged()).isEqualTo(tokenizer.encode(answer, false).length);
        assertThat(streamed.finish()).isEqualTo("stop");

        JsonNode inline = JSON.readTree(post(s, request(",\"reasoning_format\":\"none\""))).at("/choices/0/message");
        assertThat(inline.get("content").asText()).isEqualTo(answer);
        assertThat(inline.has("reasoning_content")).isFalse();
        assertThat(Streamed.of(post(s, request(",\"stream\":true,\"reasoning_format\":\"none\""))).content()).isEqualTo(answer);
        // an answer held to JSON has no reasoning to split off
        JsonNode json = JSON.readTree(post(s, request(",\"response_format\":{\"type\":\"json_object\"}"))).at("/choices/0/message");
        assertThat(json.has("reasoning_content")).isFalse();
    }

    /** Where the prompt opened the block (R1's template), the answer starts with the reasoning, and ends it with </think>. */
    @Test
    void anR1StyleModelsReasoningStartsTheAnswer() throws Exception {
        OpenAiServer s = server("Two and two.\n</think>\n\n4", ChatTemplate.DEEPSEEK, null, R1);
        JsonNode message = JSON.readTree(post(s, request(""))).at("/choices/0/message");
        assertThat(message.get("reasoning_content").asText()).isEqualTo("Two and two.");
        assertThat(message.get("content").asText()).isEqualTo("4");
        Streamed streamed = Streamed.of(post(s, request(",\"stream\":true")));
        assertThat(streamed.reasoning()).isEqualTo("Two and two.");
        assertThat(streamed.content()).isEqualTo("4");
    }

    /** Reasoning, then a call: reasoning_content and tool_calls, streamed or not. */
    @Test
    void reasoningBeforeACallComesBackBesideTheCall() throws Exception {
        String call = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
        OpenAiServer s = server("<think>\nI need the weather.\n</think>\n\n" + call, ChatTemplate.CHATML, null, QWEN3);
        assertReasonedWeatherCall(s);
    }

    /** {@code chat_template_kwargs.enable_thinking: false} reaches a Qwen3-style model's prompt over HTTP, and a bad one is a 400. */
    @Test
    void enableThinkingFalseReachesThePromptAndABadValueIsA400() throws Exception {
        OpenAiServer s = server(ANSWER, ChatTemplate.CHATML, null, QWEN3);
        String plain = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":1";
        int thinking = JSON.readTree(post(s, plain + "}")).at("/usage/prompt_tokens").asInt();
        int off = JSON.readTree(post(s, plain + ",\"chat_template_kwargs\":{\"enable_thinking\":false}}")).at("/usage/prompt_tokens").asInt();
        String rendered = ChatTemplate.CHATML.render(List.of(new ChatTemplate.Message("user", "Hi")));
        assertThat(thinking).isEqualTo(tokenizer.encode(rendered, true).length);
        assertThat(off).isEqualTo(tokenizer.encode(rendered + QWEN3.noThinking(), true).length).isGreaterThan(thinking);
        HttpResponse<String> bad = send(s, plain + ",\"chat_template_kwargs\":{\"enable_thinking\":1}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("chat_template_kwargs.enable_thinking");
    }

    /**
     * A model whose template has a default system message (Qwen2.5's): a chat without one is prompted with it first, and
     * the functions follow it in the same system turn, as that template writes them.
     */
    @Test
    void theTemplatesDefaultSystemMessageComesFirstWithTheFunctionsAfterIt() throws Exception {
        OpenAiServer s = server(ANSWER, ChatTemplate.CHATML, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
        String body = request("," + TOOLS).replace("\"max_tokens\":200", "\"max_tokens\":1");
        int prompt = JSON.readTree(post(s, body)).at("/usage/prompt_tokens").asInt();
        String rendered = ChatTemplate.CHATML.render(ToolCallFormat.HERMES.prompt(List.of(
                new ChatTemplate.Message("system", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
                new ChatTemplate.Message("user", "Weather in Paris?")), List.of(JSON.readTree(body).at("/tools/0/function"))));
        assertThat(rendered).startsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools");
        assertThat(prompt).isEqualTo(tokenizer.encode(rendered, true).length);
        // without tools, and with a system message of the chat's own, no default
        String own = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"max_tokens\":1}";
        assertThat(JSON.readTree(post(s, own)).at("/usage/prompt_tokens").asInt()).isEqualTo(tokenizer.encode(ChatTemplate.CHATML.render(
                List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Hi"))), true).length);
    }

    /**
     * gpt-oss (Harmony): the analysis message comes back as reasoning_content and the final one as the content, whole or
     * streamed; {@code reasoning_format: none} leaves the analysis in the content with its markers, as llama.cpp does.
     * The markers are control tokens, kept in the text for the reading though special tokens are skipped.
     */
    @Test
    void aHarmonyModelsAnalysisIsTheReasoningAndItsFinalMessageTheContent() throws Exception {
        OpenAiServer s = server("<|channel|>analysis<|message|>The user greets me.<|end|><|start|>assistant<|channel|>final<|message|>"
                + "Hello! How can I help?<|return|>", ChatTemplate.HARMONY);
        JsonNode choice = JSON.readTree(post(s, request(""))).at("/choices/0");
        assertThat(choice.at("/message/reasoning_content").asText()).isEqualTo("The user greets me.");
        assertThat(choice.at("/message/content").asText()).isEqualTo("Hello! How can I help?");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        Streamed streamed = Streamed.of(post(s, request(",\"stream\":true,\"logprobs\":true")));
        assertThat(streamed.reasoning()).isEqualTo("The user greets me.");
        assertThat(streamed.content()).isEqualTo("Hello! How can I help?");
        assertThat(streamed.order()).isEqualTo("RC");
        assertThat(streamed.logged()).as("every token's log-probability but the end's, once").isEqualTo(harmony.encode(
                "<|channel|>analysis<|message|>The user greets me.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help?",
                false).length);
        JsonNode inline = JSON.readTree(post(s, request(",\"reasoning_format\":\"none\""))).at("/choices/0/message");
        assertThat(inline.get("content").asText()).isEqualTo("<|channel|>analysis<|message|>The user greets me.<|end|>Hello! How can I help?");
        assertThat(inline.has("reasoning_content")).isFalse();
    }

    /** gpt-oss calls a function: a commentary message to functions.NAME, ended by <|call|>, comes back as tool_calls. */
    @Test
    void aHarmonyModelsMessageToAFunctionIsACall() throws Exception {
        OpenAiServer s = server("<|channel|>analysis<|message|>I need the weather.<|end|><|start|>assistant<|channel|>commentary "
                + "to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}<|call|>", ChatTemplate.HARMONY);
        assertReasonedWeatherCall(s);
        // without functions offered, the message to one is no text of the answer
        JsonNode plain = JSON.readTree(post(s, request(""))).at("/choices/0/message");
        assertThat(plain.get("content").asText()).isEmpty();
        assertThat(plain.has("tool_calls")).isFalse();
    }

    /**
     * The prompt is gpt-oss's own (the functions in its developer message), stating the request's reasoning_effort (or
     * chat_template_kwargs.reasoning_effort); an effort gpt-oss does not know is a 400.
     */
    @Test
    void aHarmonyPromptStatesTheReasoningEffortAndShowsTheFunctions() throws Exception {
        OpenAiServer s = server("<|channel|>final<|message|>Hi<|return|>", ChatTemplate.HARMONY);
        String body = request("," + TOOLS + ",\"reasoning_effort\":\"low\"").replace("\"max_tokens\":200", "\"max_tokens\":1");
        java.time.LocalDate today = java.time.LocalDate.now();
        int prompt = JSON.readTree(post(s, body)).at("/usage/prompt_tokens").asInt();
        String rendered = HarmonyPrompt.render(ToolCallFormat.HARMONY.prompt(List.of(new ChatTemplate.Message("user", "Weather in Paris?")),
                List.of(JSON.readTree(body).at("/tools/0/function"))), "low", today);
        assertThat(rendered).contains("Reasoning: low").contains("type get_weather = (_: {\ncity?: string,\n}) => any;");
        assertThat(prompt).isEqualTo(harmony.encode(rendered, true).length);
        String kwargs = body.replace("\"reasoning_effort\":\"low\"", "\"chat_template_kwargs\":{\"reasoning_effort\":\"low\"}");
        assertThat(JSON.readTree(post(s, kwargs)).at("/usage/prompt_tokens").asInt()).isEqualTo(prompt);
        HttpResponse<String> bad = send(s, body.replace("\"low\"", "\"extreme\""));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'reasoning_effort' must be \\\"low\\\", \\\"medium\\\" or \\\"high\\\", got \\\"extreme\\\"");
    }

    /**
     * {@code s}'s answer, whole and streamed: the reasoning "I need the weather." in reasoning_content, then one call of
     * get_weather with {"city":"Paris"} and no content; the stream sends the reasoning before the call.
     */
    private void assertReasonedWeatherCall(OpenAiServer s) throws Exception {
        JsonNode choice = JSON.readTree(post(s, request("," + TOOLS))).at("/choices/0");
        assertThat(choice.at("/message/reasoning_content").asText()).isEqualTo("I need the weather.");
        assertThat(choice.at("/message/content").isNull()).isTrue();
        assertThat(choice.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(choice.at("/message/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        Streamed streamed = Streamed.of(post(s, request("," + TOOLS + ",\"stream\":true")));
        assertThat(streamed.reasoning()).isEqualTo("I need the weather.");
        assertThat(streamed.content()).isEmpty();
        assertThat(streamed.calls()).hasSize(1);
        assertThat(streamed.calls().getFirst().at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(streamed.order()).isEqualTo("RT");
        assertThat(streamed.finish()).isEqualTo("tool_calls");
    }
}
