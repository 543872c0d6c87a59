package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.inference.metrics.PrometheusSchedulerMetrics;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.scheduler.ContinuousBatchScheduler;
import dev.tangram.inference.scheduler.EngineLoop;
import dev.tangram.inference.scheduler.GenerationRequest;
import dev.tangram.inference.scheduler.SchedulerSettings;
import dev.tangram.inference.scheduler.TokenSampler;
import dev.tangram.inference.testing.FakeTokenizer;
import dev.tangram.inference.testing.HistoryForwardPass;
import dev.tangram.inference.testing.RecordingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP API end to end, over a real socket, with the history-reading fake model behind a real scheduler. */
@org.junit.jupiter.api.Timeout(60)
class OpenAiServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeTokenizer TOKENIZER = new FakeTokenizer();
    private static final int MAX_MODEL_LEN = 128;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();
    private ContinuousBatchScheduler scheduler;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A server with a loaded model; {@code endless} models never produce end-of-generation. */
    private OpenAiServer server(long delayMillis, int maxRunning, int maxWaiting, boolean endless) {
        HistoryForwardPass model = new HistoryForwardPass().withDelayMillis(delayMillis);
        PrometheusSchedulerMetrics metrics = new PrometheusSchedulerMetrics("tiny");
        scheduler = new ContinuousBatchScheduler(model, new PagedKvCache(model.config(), 96, 4),
                new SchedulerSettings(32, maxRunning, maxWaiting, MAX_MODEL_LEN), TokenSampler.perRequest(TOKENIZER),
                endless ? t -> false : TOKENIZER::isEndOfGeneration, metrics);
        metrics.bind(scheduler);
        EngineLoop engine = new EngineLoop(scheduler).start();
        OpenAiServer server = new OpenAiServer(metrics, "127.0.0.1", 0).start();
        open.add(server);
        open.add(engine);
        server.ready(new OpenAiServer.Backend(new ServingModel("tiny", TOKENIZER, ChatTemplate.PLAIN, MAX_MODEL_LEN, 96 * 4), engine));
        return server;
    }

    private HttpResponse<String> post(OpenAiServer s, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(OpenAiServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The message of an error answer, after checking that it came with {@code status}. */
    private static String message(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body()).at("/error/message").asText();
    }

    /** The greedy tokens the fake model gives this prompt, run straight through a scheduler. */
    private static String expectedText(String prompt, int maxTokens) {
        HistoryForwardPass model = new HistoryForwardPass();
        ContinuousBatchScheduler s = new ContinuousBatchScheduler(model, new PagedKvCache(model.config(), 96, 4),
                new SchedulerSettings(32, 4, 4, MAX_MODEL_LEN), TokenSampler.perRequest(TOKENIZER), TOKENIZER::isEndOfGeneration,
                dev.tangram.inference.scheduler.SchedulerMetrics.NONE);
        RecordingSink sink = new RecordingSink();
        s.submit(new GenerationRequest("x", TOKENIZER.encode(prompt, true), maxTokens, SamplingParams.GREEDY, sink));
        while (s.hasWork()) {
            s.step();
        }
        return TOKENIZER.decode(sink.tokens().stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(JSON.readTree(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void readyAnswers503UntilTheModelIsLoaded() throws Exception {
        OpenAiServer s = new OpenAiServer(new PrometheusSchedulerMetrics("m"), "127.0.0.1", 0).start();
        open.add(s);
        assertThat(get(s, "/health").statusCode()).isEqualTo(200);
        assertThat(get(s, "/ready").statusCode()).isEqualTo(503);
        assertThat(post(s, "/v1/completions", "{\"prompt\":\"hi\"}").statusCode()).isEqualTo(503);
        assertThat(get(s, "/v1/allocation").statusCode()).isEqualTo(503);
        s.allocation(Map.of("kvCache", Map.of("blocks", 7)));
        assertThat(JSON.readTree(get(s, "/v1/allocation").body()).at("/kvCache/blocks").asInt()).isEqualTo(7);
    }

    @Test
    void aCompletionAnswersTheModelsGreedyTextWithUsage() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        assertThat(get(s, "/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> r = post(s, "/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hello world\",\"max_tokens\":12,\"temperature\":0}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(expectedText("hello world", 12));
        assertThat(body.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(12);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(12 + body.at("/usage/completion_tokens").asInt());
    }

    @Test
    void ignoreEosGeneratesMaxTokensWhereTheModelWouldHaveStopped() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        String prompt = null;
        for (int i = 0; prompt == null && i < 50; i++) {
            if (expectedText("prompt " + i, 60).length() < 60) {
                prompt = "prompt " + i; // greedy decoding reaches the end-of-generation token before 60 tokens
            }
        }
        assertThat(prompt).as("a prompt that ends early").isNotNull();
        JsonNode stops = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"" + prompt + "\",\"max_tokens\":60,\"temperature\":0}").body());
        assertThat(stops.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode ignores = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":60,\"temperature\":0,\"ignore_eos\":true}").body());
        assertThat(ignores.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(ignores.at("/usage/completion_tokens").asInt()).isEqualTo(60);
        assertThat(ignores.at("/choices/0/text").asText()).startsWith(stops.at("/choices/0/text").asText());
        assertThat(post(s, "/v1/completions", "{\"prompt\":\"x\",\"ignore_eos\":\"yes\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void streamingSendsServerSentEventsEndingWithDone() throws Exception {
        OpenAiServer s = server(0, 4, 4, true);
        String whole = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"stream me\",\"max_tokens\":20,\"temperature\":0}").body())
                .at("/choices/0/text").asText();
        HttpResponse<String> r = post(s, "/v1/completions",
                "{\"prompt\":\"stream me\",\"max_tokens\":20,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = events(r.body());
        String text = events.stream().filter(e -> e.get("choices").size() > 0).map(e -> e.at("/choices/0/text").asText())
                .collect(Collectors.joining());
        assertThat(text).isEqualTo(whole).hasSizeGreaterThan(0);
        assertThat(events.get(events.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(events.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void chatCompletionsAnswerAnAssistantMessageStreamedOrNot() throws Exception {
        OpenAiServer s = server(0, 4, 4, true);
        String req = "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],"
                + "\"max_completion_tokens\":6,\"temperature\":0";
        JsonNode whole = JSON.readTree(post(s, "/v1/chat/completions", req + "}").body());
        assertThat(whole.get("object").asText()).isEqualTo("chat.completion");
        assertThat(whole.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        String content = whole.at("/choices/0/message/content").asText();
        assertThat(content).isEqualTo(expectedText("system: be brief\nuser: hi\nassistant:", 6).replace("\u0000", ""));

        List<JsonNode> events = events(post(s, "/v1/chat/completions", req + ",\"stream\":true}").body());
        assertThat(events.getFirst().get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(events.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(events.stream().map(e -> e.at("/choices/0/delta/content").asText("")).collect(Collectors.joining())).isEqualTo(content);
        assertThat(events.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void aStopSequenceEndsTheTextBeforeIt() throws Exception {
        OpenAiServer s = server(0, 4, 4, true);
        String full = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0}").body())
                .at("/choices/0/text").asText();
        String stop = full.substring(10, 12);
        int at = full.indexOf(stop);
        JsonNode r = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0,\"stop\":" + JSON.writeValueAsString(stop) + "}").body());
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(full.substring(0, at));
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(r.at("/choices/0/stop_reason").asText()).isEqualTo(stop); // vLLM's: what stopped it
        JsonNode plain = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":3,\"temperature\":0}").body());
        assertThat(plain.at("/choices/0/stop_reason").isNull()).isTrue();
    }

    @Test
    void stopTokenIdsEndTheTextAfterThatTokenAndAStopStringCanBeKept() throws Exception {
        OpenAiServer s = server(0, 4, 4, true);
        String full = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0}").body())
                .at("/choices/0/text").asText();
        char c = full.charAt(10);
        int stopId = TOKENIZER.encode(String.valueOf(c), false)[0];
        JsonNode r = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0,\"stop_token_ids\":[" + stopId + "]}").body());
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(full.substring(0, full.indexOf(c) + 1)); // the stop token's text kept
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(r.at("/choices/0/stop_reason").asInt()).isEqualTo(stopId);
        List<JsonNode> streamed = events(post(s, "/v1/completions",
                "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0,\"stream\":true,\"stop_token_ids\":[" + stopId + "]}").body());
        assertThat(streamed.getLast().at("/choices/0/stop_reason").asInt()).isEqualTo(stopId);
        assertThat(streamed.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        // the tokens up to the stop token (some of the fake model's tokens have no text, so not one per character)
        assertThat(r.at("/usage/completion_tokens").asInt()).isBetween(full.indexOf(c) + 1, 29);
        // held off by min_tokens, as vLLM does: the stop token, made by far the likeliest, cannot be drawn until that many
        // tokens have been, and is drawn (and ends the text) as soon as it may, as the next one
        int minTokens = 12;
        JsonNode later = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0,"
                + "\"min_tokens\":" + minTokens + ",\"stop_token_ids\":[" + stopId + "],\"logit_bias\":{\"" + stopId + "\":100},"
                + "\"logprobs\":0,\"return_tokens_as_token_ids\":true}").body());
        JsonNode tokens = later.at("/choices/0/logprobs/tokens");
        assertThat(tokens).hasSize(minTokens + 1);
        for (int i = 0; i < minTokens; i++) {
            assertThat(tokens.get(i).asText()).as("token %d", i).isNotEqualTo("token_id:" + stopId);
        }
        assertThat(tokens.get(minTokens).asText()).isEqualTo("token_id:" + stopId);
        assertThat(later.at("/choices/0/finish_reason").asText()).isEqualTo("stop");

        String stop = full.substring(10, 12);
        JsonNode kept = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":0,"
                + "\"stop\":" + JSON.writeValueAsString(stop) + ",\"include_stop_str_in_output\":true}").body());
        assertThat(kept.at("/choices/0/text").asText()).isEqualTo(full.substring(0, full.indexOf(stop) + 2));

        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"stop_token_ids\":[99999]}"), 400))
                .isEqualTo("'stop_token_ids' names token 99999, but the vocabulary has " + FakeTokenizer.VOCAB + " tokens");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"stop_token_ids\":[-1]}"), 400))
                .isEqualTo("'stop_token_ids' must be token ids (>= 0), got -1");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"stop_token_ids\":\"x\"}"), 400))
                .isEqualTo("'stop_token_ids' must be an array of token ids");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"abc\",\"skip_special_tokens\":\"yes\"}"), 400))
                .contains("skip_special_tokens");
    }

    @Test
    void badInputGetsAnOpenAiStyle400() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        HttpResponse<String> malformed = post(s, "/v1/completions", "{\"prompt\": \"x\",");
        assertThat(malformed.statusCode()).isEqualTo(400);
        JsonNode err = JSON.readTree(malformed.body()).get("error");
        assertThat(err.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(err.get("message").asText()).contains("not valid JSON");
        assertThat(err.has("param")).isTrue();
        assertThat(err.has("code")).isTrue();

        JsonNode wrongType = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":\"ten\"}").body()).get("error");
        assertThat(wrongType.get("param").asText()).isEqualTo("max_tokens");
        assertThat(post(s, "/v1/completions", "{\"prompt\":42}").statusCode()).isEqualTo(400);
        assertThat(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}").statusCode()).isEqualTo(400);
        assertThat(post(s, "/v1/completions", "{\"prompt\":\"x\",\"temperature\":true}").statusCode()).isEqualTo(400);
        assertThat(post(s, "/v1/completions", "[1,2]").statusCode()).isEqualTo(400);

        HttpResponse<String> tooLong = post(s, "/v1/completions", "{\"prompt\":\"" + "a".repeat(MAX_MODEL_LEN) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tooLong.body()).at("/error/message").asText()).contains("maximum context length is 128");
        assertThat(post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":500}").statusCode()).isEqualTo(400);
        assertThat(post(s, "/v1/completions", "{\"prompt\":[1,2,99999]}").statusCode()).isEqualTo(400);

        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\"} {\"prompt\":\"y\"}"), 400))
                .contains("not valid JSON").contains("Trailing token");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"prompt\":\"y\"}"), 400))
                .contains("Duplicate field 'prompt'");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"" + "a".repeat((int) OpenAiServer.MAX_BODY_BYTES) + "\"}"), 413))
                .isEqualTo("the request body is larger than this server's limit of 8388608 bytes");

        HttpResponse<String> otherModel = post(s, "/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"x\"}");
        assertThat(otherModel.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(otherModel.body()).at("/error/code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void fieldsTheServerDoesNotImplementAre400sUnlessTheyAskForNothing() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        HttpResponse<String> suffix = post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"suffix\":\"end\"}");
        assertThat(suffix.statusCode()).isEqualTo(400);
        JsonNode err = JSON.readTree(suffix.body()).get("error");
        assertThat(err.get("param").asText()).isEqualTo("suffix");
        assertThat(err.get("message").asText()).contains("'suffix' is not supported by this server (got \"end\")");
        HttpResponse<String> tools = post(s, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\"}]}");
        assertThat(tools.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tools.body()).at("/error/param").asText()).isEqualTo("tools");

        // what OpenAI clients send as defaults is served
        assertThat(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2,"
                + "\"logprobs\":false,\"presence_penalty\":0,\"frequency_penalty\":0.0,\"logit_bias\":{},\"tools\":[],"
                + "\"response_format\":{\"type\":\"text\"},\"user\":\"someone\"}").statusCode()).isEqualTo(200);
        assertThat(post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"logprobs\":null,\"echo\":false,\"best_of\":1}")
                .statusCode()).isEqualTo(200);

        assertThat(message(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\"}]}"), 400))
                .isEqualTo("messages[0].content is required for role 'user'");
    }

    @Test
    void completionLogprobsListEachTokenWithItsAlternativesAndOffsetStreamedOrNot() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        String request = "{\"prompt\":\"hello world\",\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true,\"logprobs\":2";
        JsonNode choice = JSON.readTree(post(s, "/v1/completions", request + "}").body()).at("/choices/0");
        String text = choice.get("text").asText();
        JsonNode lp = choice.get("logprobs");
        assertThat(lp.get("tokens")).hasSize(8);
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            String token = lp.get("tokens").get(i).asText();
            assertThat(lp.get("text_offset").get(i).asInt()).isEqualTo(joined.length());
            joined.append(token);
            double logprob = lp.get("token_logprobs").get(i).asDouble();
            assertThat(logprob).isNegative();
            JsonNode top = lp.get("top_logprobs").get(i);
            assertThat(top.size()).isBetween(1, 2); // the drawn token, which greedy makes the likeliest, and one more
            assertThat(top.get(token).asDouble()).isEqualTo(logprob);
            top.properties().forEach(e -> assertThat(e.getValue().asDouble()).isLessThanOrEqualTo(logprob));
        }
        assertThat(joined.toString()).isEqualTo(text);

        List<JsonNode> chunks = events(post(s, "/v1/completions", request + ",\"stream\":true}").body());
        List<String> streamedTokens = new ArrayList<>();
        List<Double> streamedLogprobs = new ArrayList<>();
        for (JsonNode c : chunks) {
            JsonNode l = c.at("/choices/0/logprobs");
            if (!l.isNull()) {
                l.get("tokens").forEach(t -> streamedTokens.add(t.asText()));
                l.get("token_logprobs").forEach(t -> streamedLogprobs.add(t.asDouble()));
            }
        }
        List<String> tokens = new ArrayList<>();
        lp.get("tokens").forEach(t -> tokens.add(t.asText()));
        List<Double> logprobs = new ArrayList<>();
        lp.get("token_logprobs").forEach(t -> logprobs.add(t.asDouble()));
        assertThat(streamedTokens).isEqualTo(tokens);
        assertThat(streamedLogprobs).isEqualTo(logprobs);

        JsonNode ids = JSON.readTree(post(s, "/v1/completions", request + ",\"return_tokens_as_token_ids\":true}").body());
        assertThat(ids.at("/choices/0/logprobs/tokens/0").asText()).isEqualTo("token_id:" + TOKENIZER.encode(tokens.getFirst(), false)[0]);
        assertThat(ids.at("/choices/0/logprobs/top_logprobs/0").fieldNames().next()).startsWith("token_id:");

        JsonNode none = JSON.readTree(post(s, "/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":2}").body());
        assertThat(none.at("/choices/0/logprobs").isNull()).isTrue();
    }

    @Test
    void echoPutsThePromptBeforeTheCompletionWithItsLogprobsAndMaxTokensZeroOnlyScoresIt() throws Exception {
        OpenAiServer s = server(0, 4, 4, true);
        // scoring only, as evaluation harnesses ask: the prompt back, its tokens' logprobs, nothing generated
        JsonNode scored = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"hello world\",\"echo\":true,\"max_tokens\":0,\"logprobs\":1,\"temperature\":0}").body());
        JsonNode choice = scored.at("/choices/0");
        assertThat(choice.get("text").asText()).isEqualTo("hello world");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(scored.at("/usage/completion_tokens").asInt()).isZero();
        JsonNode lp = choice.get("logprobs");
        assertThat(lp.get("tokens")).hasSize(12); // BOS and eleven characters
        assertThat(lp.at("/tokens/0").asText()).isEmpty();
        assertThat(lp.at("/token_logprobs/0").isNull()).isTrue();
        assertThat(lp.at("/top_logprobs/0").isNull()).isTrue();
        for (int i = 1; i < 12; i++) {
            assertThat(lp.get("tokens").get(i).asText()).isEqualTo("hello world".substring(i - 1, i));
            assertThat(lp.get("text_offset").get(i).asInt()).isEqualTo(i - 1);
            assertThat(lp.get("token_logprobs").get(i).asDouble()).isNegative();
            assertThat(lp.get("top_logprobs").get(i).size()).isBetween(1, 2);
        }
        // the same again, with the prompt now in the prefix cache: the same scores
        JsonNode again = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"hello world\",\"echo\":true,\"max_tokens\":0,\"logprobs\":1,\"temperature\":0}").body());
        assertThat(again.at("/choices/0/logprobs/token_logprobs")).isEqualTo(lp.get("token_logprobs"));

        // echo with a completion: prompt, then the generated text, offsets running on across both
        JsonNode both = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":\"hello world\",\"echo\":true,\"max_tokens\":3,\"logprobs\":0,\"temperature\":0}").body());
        String completion = expectedText("hello world", 3);
        assertThat(both.at("/choices/0/text").asText()).isEqualTo("hello world" + completion);
        assertThat(both.at("/choices/0/logprobs/tokens")).hasSize(15);
        assertThat(both.at("/choices/0/logprobs/text_offset/12").asInt()).isEqualTo(11);
        assertThat(both.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(completionText(s, "{\"prompt\":\"hello world\",\"echo\":true,\"max_tokens\":3,\"temperature\":0}"))
                .isEqualTo("hello world" + completion);

        List<JsonNode> events = events(post(s, "/v1/completions",
                "{\"prompt\":\"hello world\",\"echo\":true,\"max_tokens\":3,\"temperature\":0,\"stream\":true}").body());
        assertThat(events.getFirst().at("/choices/0/text").asText()).isEqualTo("hello world");
        assertThat(events.stream().map(e -> e.at("/choices/0/text").asText()).collect(Collectors.joining()))
                .isEqualTo("hello world" + completion);

        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":0}"), 400))
                .isEqualTo("'max_tokens' must be at least 1, got 0");
    }

    @Test
    void chatLogprobsGiveTokensWithTheirBytesAndTopAlternatives() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":6,\"temperature\":0,"
                + "\"ignore_eos\":true,\"logprobs\":true,\"top_logprobs\":3";
        JsonNode choice = JSON.readTree(post(s, "/v1/chat/completions", request + "}").body()).at("/choices/0");
        JsonNode content = choice.at("/logprobs/content");
        assertThat(content).hasSize(6);
        StringBuilder joined = new StringBuilder();
        for (JsonNode entry : content) {
            String token = entry.get("token").asText();
            joined.append(token);
            List<Integer> bytes = new ArrayList<>();
            entry.get("bytes").forEach(b -> bytes.add(b.asInt()));
            List<Integer> expected = new ArrayList<>();
            for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                expected.add(b & 0xff);
            }
            assertThat(bytes).isEqualTo(expected);
            JsonNode top = entry.get("top_logprobs");
            assertThat(top).hasSize(3);
            assertThat(top.get(0).get("logprob").asDouble()).isEqualTo(entry.get("logprob").asDouble());
            assertThat(top.get(1).get("logprob").asDouble()).isLessThanOrEqualTo(top.get(0).get("logprob").asDouble());
            assertThat(top.get(2).has("bytes")).isTrue();
        }
        assertThat(joined.toString()).isEqualTo(choice.at("/message/content").asText());

        List<JsonNode> chunks = events(post(s, "/v1/chat/completions", request + ",\"stream\":true}").body());
        assertThat(chunks.getFirst().at("/choices/0/logprobs").isNull()).isTrue(); // the role's chunk
        int streamed = 0;
        for (JsonNode c : chunks) {
            streamed += c.at("/choices/0/logprobs/content").size();
        }
        assertThat(streamed).isEqualTo(6);
        JsonNode none = JSON.readTree(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}").body());
        assertThat(none.at("/choices/0").has("logprobs")).isTrue();
        assertThat(none.at("/choices/0/logprobs").isNull()).isTrue();
    }

    @Test
    void logitBiasPenaltiesAndMinTokensShapeWhatIsDrawn() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        // the fake model's logits are in [0, 1): a bias of 100 on 'd' (token 5) and 95 on 'e' (token 6) decides every draw
        String bias = "\"prompt\":\"x\",\"temperature\":0,\"logit_bias\":{\"5\":100,\"6\":95}";
        assertThat(completionText(s, "{" + bias + ",\"max_tokens\":4}")).isEqualTo("dddd");
        assertThat(completionText(s, "{" + bias + ",\"max_tokens\":4,\"presence_penalty\":2}")).isEqualTo("dddd");
        // 100 vs 99: 'd', then 98 vs 99: 'e', then 98 vs 97: 'd' for good (the presence penalty counts once)
        assertThat(completionText(s, "{\"prompt\":\"x\",\"temperature\":0,\"logit_bias\":{\"5\":100,\"6\":99},\"max_tokens\":4,"
                + "\"presence_penalty\":2}")).isEqualTo("dedd");
        assertThat(completionText(s, "{" + bias + ",\"max_tokens\":4,\"frequency_penalty\":2}")).isEqualTo("ddde"); // 100, 98, 96, 94 vs 95
        assertThat(completionText(s, "{" + bias + ",\"max_tokens\":3,\"repetition_penalty\":1.1}")).isEqualTo("ded"); // 100/1.1 < 95

        // the end token (1) made the likeliest: generation stops at once, unless min_tokens holds it off
        String ending = "{\"prompt\":\"x\",\"temperature\":0,\"max_tokens\":10,\"logit_bias\":{\"1\":100}";
        JsonNode stopped = JSON.readTree(post(s, "/v1/completions", ending + "}").body());
        assertThat(stopped.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(stopped.at("/usage/completion_tokens").asInt()).isEqualTo(1);
        JsonNode held = JSON.readTree(post(s, "/v1/completions", ending + ",\"min_tokens\":3}").body());
        assertThat(held.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(held.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        assertThat(held.at("/choices/0/text").asText()).hasSize(3);
    }

    private String completionText(OpenAiServer s, String body) throws Exception {
        HttpResponse<String> r = post(s, "/v1/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).at("/choices/0/text").asText();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "chat        | {'top_logprobs':2}                      | 'top_logprobs' needs 'logprobs' set to true",
            "chat        | {'logprobs':true,'top_logprobs':21}     | 'top_logprobs' must be at most 20, got 21",
            "chat        | {'logprobs':2}                          | 'logprobs' must be a boolean",
            "completions | {'logprobs':21}                         | 'logprobs' must be at most 20, got 21",
            "completions | {'logprobs':true}                       | 'logprobs' must be an integer",
            "completions | {'logit_bias':{'a':1}}                  | 'logit_bias' keys must be token ids, got \"a\"",
            "completions | {'logit_bias':{'3':101}}                | 'logit_bias' values must be numbers between -100 and 100, got 101 for token 3",
            "completions | {'logit_bias':{'38':1}}                 | 'logit_bias' names token 38, but the vocabulary has 38 tokens",
            "completions | {'logit_bias':[1]}                      | 'logit_bias' must be an object from token ids to biases",
            "completions | {'presence_penalty':2.5}                | 'presence_penalty' must be between -2.0 and 2.0, got 2.5",
            "completions | {'repetition_penalty':0}                | 'repetition_penalty' must be greater than 0 (1 applies no penalty)",
            "completions | {'max_tokens':2,'min_tokens':3}         | 'min_tokens' (3) must not be greater than the completion's maximum of 2 tokens",
            "completions | {'min_tokens':17}                       | 'min_tokens' (17) must not be greater than the completion's maximum of 16 tokens",
            "chat        | {'response_format':{'type':'json_schema'}} | 'response_format.json_schema.schema' must be a JSON Schema object",
            "chat        | {'response_format':{'type':'json_schema','json_schema':{'name':'x','schema':{'type':'object','properties':{'a':{'type':'string','format':'date'}}}}}} | 'response_format.json_schema': schema.properties.a: the keyword 'format' is not supported",
            "chat        | {'response_format':{'type':'xml'}}      | 'response_format' type 'xml' is not supported; use 'text', 'json_object' or 'json_schema'",
            "completions | {'response_format':'json'}              | 'response_format' must be an object with a 'type'",
            "chat        | {'min_p':1.5}                           | 'min_p' must be between 0.0 and 1.0, got 1.5",
            "chat        | {'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':'sometimes'} | 'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}",
            "chat        | {'tools':[{'type':'function','function':{'name':'f'}}],'parallel_tool_calls':'no'} | 'parallel_tool_calls' must be a boolean",
            "chat        | {'tools':[{'type':'function','function':{'name':'f'}},{'type':'function','function':{'name':'g'}}],'tool_choice':'required'} | 'tool_choice' \"required\" is supported with one tool only (got 2); name the function to call in 'tool_choice', or let the model choose with \"auto\"",
            "chat        | {'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':{'type':'function','function':{'name':'g'}}} | 'tool_choice' names 'g', which is not among 'tools'",
            "chat        | {'tool_choice':'required'}              | 'tool_choice' needs 'tools'",
            "chat        | {'tools':[{'type':'function','function':{'name':'f','parameters':{'type':'object','properties':{'a':{'type':'string','minLength':2}}}}}],'tool_choice':'required'} | the parameters of tool 'f': schema.properties.a: the keyword 'minLength' is not supported",
            "chat        | {'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':'required','response_format':{'type':'json_object'}} | 'response_format' and a function call in 'tool_choice' cannot both shape the answer"})
    void badLogprobsPenaltiesBiasesAndFormatsAre400sNamingTheField(String endpoint, String fields, String expected) throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        String prompt = endpoint.equals("chat") ? "'messages':[{'role':'user','content':'x'}]," : "'prompt':'x',";
        String body = ("{" + prompt + fields.substring(1)).replace('\'', '"');
        String path = endpoint.equals("chat") ? "/v1/chat/completions" : "/v1/completions";
        assertThat(message(post(s, path, body), 400)).isEqualTo(expected);
    }

    @Test
    void aVocabularyThatCannotWriteJsonEndsTheAnswerInsteadOfBreakingTheFormat() throws Exception {
        OpenAiServer s = server(0, 4, 4, false); // the fake vocabulary has no '{'
        JsonNode body = JSON.readTree(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":5,\"response_format\":{\"type\":\"json_object\"}}").body());
        assertThat(body.at("/choices/0/message/content").asText()).isEmpty();
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(1); // the end token
    }

    @Test
    void earlierFunctionCallsAndToolResultsInTheConversationAreServed() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        HttpResponse<String> r = post(s, "/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(message(post(s, "/v1/chat/completions", "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{}}]}]}"), 400))
                .isEqualTo("messages[0].tool_calls[0] must be {\"type\": \"function\", \"function\": {\"name\": ..., \"arguments\": ...}}");
    }

    @Test
    void aModelIsRetrievedByIdAndUnknownRoutesAnswerOpenAiStyleErrors() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        HttpResponse<String> model = get(s, "/v1/models/tiny");
        assertThat(model.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(model.body()).get("id").asText()).isEqualTo("tiny");
        assertThat(message(get(s, "/v1/models/org/other-model"), 404)).isEqualTo(
                "The model 'org/other-model' does not exist; this server serves 'tiny'");

        assertThat(message(get(s, "/v1/embeddings"), 404)).isEqualTo("no route GET /v1/embeddings");
        assertThat(message(get(s, "/v1/completions"), 405)).isEqualTo("GET is not allowed on /v1/completions; use POST");
    }

    @Test
    void nChoicesComeFromOnePromptWithTheirOwnSeedsStreamedOrNot() throws Exception {
        OpenAiServer s = server(0, 4, 8, true);
        String request = "{\"prompt\":\"pick\",\"max_tokens\":6,\"temperature\":1,\"seed\":7,\"n\":3";
        JsonNode body = JSON.readTree(post(s, "/v1/completions", request + "}").body());
        JsonNode choices = body.get("choices");
        assertThat(choices).hasSize(3);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(choices.get(i).get("finish_reason").asText()).isEqualTo("length");
            texts.add(choices.get(i).get("text").asText());
        }
        assertThat(texts).doesNotHaveDuplicates();
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(5); // the prompt counts once
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(18);
        // choice i draws with seed + i: the first choice is what n = 1 gives, the second what seed 8 gives
        assertThat(completionText(s, "{\"prompt\":\"pick\",\"max_tokens\":6,\"temperature\":1,\"seed\":7}")).isEqualTo(texts.get(0));
        assertThat(completionText(s, "{\"prompt\":\"pick\",\"max_tokens\":6,\"temperature\":1,\"seed\":8}")).isEqualTo(texts.get(1));

        List<JsonNode> events = events(post(s, "/v1/completions", request + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}").body());
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        int[] finishes = new int[3];
        for (JsonNode e : events) {
            if (e.get("choices").isEmpty()) {
                continue;
            }
            int index = e.at("/choices/0/index").asInt();
            streamed[index].append(e.at("/choices/0/text").asText());
            if (!e.at("/choices/0/finish_reason").isNull()) {
                finishes[index]++;
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(streamed[i].toString()).isEqualTo(texts.get(i));
        }
        assertThat(finishes).containsExactly(1, 1, 1);
        assertThat(events.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(18);

        List<JsonNode> chat = events(post(s, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"n\":2,\"stream\":true}").body());
        assertThat(chat.subList(0, 2)).extracting(e -> e.at("/choices/0/index").asInt() + ":" + e.at("/choices/0/delta/role").asText())
                .containsExactly("0:assistant", "1:assistant");
        JsonNode greedy = JSON.readTree(post(s, "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4,\"n\":2,\"temperature\":0}").body());
        assertThat(greedy.at("/choices/0/message/content").asText()).isEqualTo(greedy.at("/choices/1/message/content").asText());
    }

    @Test
    void severalPromptsInOneRequestGetTheirChoicesInOrderWithUsageSummed() throws Exception {
        OpenAiServer s = server(0, 4, 8, false);
        String prompts = "[\"hello world\",[0,9,10],\"abc\"]"; // text, token ids ("hi" after BOS), text
        JsonNode body = JSON.readTree(post(s, "/v1/completions",
                "{\"prompt\":" + prompts + ",\"max_tokens\":4,\"temperature\":0,\"n\":2,\"echo\":true}").body());
        JsonNode choices = body.get("choices");
        assertThat(choices).hasSize(6);
        String[] texts = {"hello world", "hi", "abc"};
        int generated = 0;
        for (int c = 0; c < 6; c++) {
            assertThat(choices.get(c).get("index").asInt()).isEqualTo(c);
            // choice c answers prompt c / 2 (greedy: both samples alike)
            String completion = expectedText(texts[c / 2], 4);
            assertThat(choices.get(c).get("text").asText()).isEqualTo(texts[c / 2] + completion);
            generated += completion.length() + (choices.get(c).get("finish_reason").asText().equals("stop") ? 1 : 0); // the end token
        }
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(12 + 3 + 4); // each prompt once
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(generated);

        List<JsonNode> events = events(post(s, "/v1/completions",
                "{\"prompt\":[\"hello world\",\"abc\"],\"max_tokens\":4,\"temperature\":0,\"stream\":true}").body());
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        events.forEach(e -> streamed[e.at("/choices/0/index").asInt()].append(e.at("/choices/0/text").asText()));
        assertThat(streamed[0].toString()).isEqualTo(expectedText("hello world", 4));
        assertThat(streamed[1].toString()).isEqualTo(expectedText("abc", 4));

        assertThat(message(post(s, "/v1/completions", "{\"prompt\":[\"a\",1]}"), 400))
                .isEqualTo("'prompt' must be a string, an array of token ids, or an array of strings or of token id arrays");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":[\"a\",\"" + "b".repeat(MAX_MODEL_LEN) + "\"]}"), 400))
                .isEqualTo("This model's maximum context length is 128 tokens; the prompt has 129 tokens (prompt 1)");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":[\"a\",\"b\",\"c\"],\"n\":3}"), 400))
                .isEqualTo("'n' × prompts (3 × 3) is more than this server queues at once (8 sequences; scheduler.maxWaiting)");
    }

    @Test
    void nIsBoundedAndAChoiceTheQueueRefusesTakesItsSiblingsBackOut() throws Exception {
        OpenAiServer s = server(30, 1, 2, true);
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\",\"n\":0}"), 400)).isEqualTo("'n' must be at least 1, got 0");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\",\"n\":129}"), 400)).isEqualTo("'n' must be at most 128, got 129");
        assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"x\",\"n\":3}"), 400))
                .isEqualTo("'n' (3) is more than this server queues at once (2 sequences; scheduler.maxWaiting)");
        String body = "{\"prompt\":\"busy\",\"max_tokens\":100,\"temperature\":0,\"stream\":true}";
        try (Socket running = streamOver(s, body)) {
            CompletableFuture<HttpResponse<String>> queued = queueOne(s, body);
            // the first of two choices finds room in the queue, the second does not: the first is cancelled with it
            assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"busy\",\"max_tokens\":100,\"n\":2}"), 429)).contains("overloaded");
            await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.waitingRequests() == 1);
            queued.cancel(true);
        }
    }

    /** Sends a completion that has to wait in the queue (the one running slot is taken), once it is waiting. */
    private CompletableFuture<HttpResponse<String>> queueOne(OpenAiServer s, String body) {
        CompletableFuture<HttpResponse<String>> queued = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + s.port() + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.waitingRequests() == 1);
        return queued;
    }

    @Test
    void overloadIsRefusedWith429() throws Exception {
        OpenAiServer s = server(30, 1, 1, true);
        String body = "{\"prompt\":\"busy\",\"max_tokens\":100,\"temperature\":0,\"stream\":true}";
        try (Socket running = streamOver(s, body)) {
            CompletableFuture<HttpResponse<String>> queued = queueOne(s, body);
            HttpResponse<String> refused = post(s, "/v1/completions", body);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("overloaded");
            queued.cancel(true);
        }
    }

    /** Opens a raw connection, sends a streaming request and reads until the first token event. */
    private static Socket streamOver(OpenAiServer s, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", s.port());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(b);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data: ")) {
                break;
            }
        }
        return socket;
    }

    @Test
    void aClientDisconnectingMidStreamHasItsBlocksFreedAtOnce() throws Exception {
        OpenAiServer s = server(20, 4, 4, true);
        Socket socket = streamOver(s, "{\"prompt\":\"" + "long prompt ".repeat(4) + "\",\"max_tokens\":70,\"temperature\":0,\"stream\":true}");
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 1 && scheduler.cacheUsage() > 0);
        socket.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 0 && scheduler.cacheUsage() == 0.0);
        String metrics = get(s, "/metrics").body();
        assertThat(metrics).contains("vllm:request_success_total{finished_reason=\"cancelled\",model_name=\"tiny\"} 1.0");
        assertThat(metrics).doesNotContain("finished_reason=\"length\"");
    }

    @Test
    void aClientDisconnectingMidStreamCancelsEveryChoiceOfItsRequest() throws Exception {
        OpenAiServer s = server(20, 4, 4, true);
        Socket socket = streamOver(s, "{\"prompt\":\"" + "long prompt ".repeat(4) + "\",\"max_tokens\":70,\"n\":3,\"stream\":true}");
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 3);
        socket.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 0 && scheduler.cacheUsage() == 0.0);
        assertThat(get(s, "/metrics").body()).contains("vllm:request_success_total{finished_reason=\"cancelled\",model_name=\"tiny\"} 3.0");
    }

    private static byte[] rawPost(String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + b.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return all;
    }

    @Test
    void aClientLeavingBeforeItsWholeAnswerHasItsRequestCancelledAndItsBlocksFreed() throws Exception {
        OpenAiServer s = server(50, 4, 4, true); // 100 tokens at 50 ms a step: ~5 s if nothing stops it
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.getOutputStream().write(rawPost("/v1/completions", "{\"prompt\":\"wait for it\",\"max_tokens\":100,\"temperature\":0}"));
            await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 1 && scheduler.cacheUsage() > 0);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 0 && scheduler.cacheUsage() == 0.0);
        String metrics = get(s, "/metrics").body();
        assertThat(metrics).contains("vllm:request_success_total{finished_reason=\"cancelled\",model_name=\"tiny\"} 1.0");
        assertThat(metrics).doesNotContain("finished_reason=\"length\"");
    }

    @Test
    void aPipelinedRequestReadWhileWatchingIsNotLostButTheConnectionClosesAfterTheAnswer() throws Exception {
        OpenAiServer s = server(50, 4, 4, true);
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(20_000); // a connection left open (the pipelined request answered too) fails, not hangs
            OutputStream out = socket.getOutputStream();
            out.write(rawPost("/v1/completions", "{\"prompt\":\"first\",\"max_tokens\":20,\"temperature\":0}"));
            await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 1);
            out.write(rawPost("/v1/completions", "{\"prompt\":\"second\",\"max_tokens\":2,\"temperature\":0}"));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until the server closes
            assertThat(answer).startsWith("HTTP/1.1 200");
            assertThat(answer.toLowerCase()).contains("connection: close");
            assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(2); // one answer: the second request is sent again by its client
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(20);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.runningRequests() == 0 && scheduler.cacheUsage() == 0.0);
    }

    @Test
    void drainingRefusesNewCompletionsAndWaitsForTheOnesInFlight() throws Exception {
        OpenAiServer s = server(30, 4, 4, true); // 60 tokens at 30 ms a step: ~2 s
        try (Socket socket = streamOver(s, "{\"prompt\":\"finish me\",\"max_tokens\":60,\"temperature\":0,\"stream\":true}")) {
            socket.setSoTimeout(20_000);
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.drain(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> get(s, "/ready").statusCode() == 503);
            assertThat(JSON.readTree(get(s, "/ready").body()).get("status").asText()).isEqualTo("draining");
            assertThat(message(post(s, "/v1/completions", "{\"prompt\":\"late\",\"max_tokens\":2}"), 503))
                    .isEqualTo("the server is shutting down; send the request to another replica");
            assertThat(drained).isNotDone();
            StringBuilder rest = new StringBuilder();
            java.io.InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; !rest.toString().contains("data: [DONE]") && (n = in.read(buf)) > 0; ) {
                rest.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(rest.toString()).contains("\"finish_reason\":\"length\"").contains("data: [DONE]");
            assertThat(drained.get(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void drainingGivesUpAtItsDeadline() throws Exception {
        OpenAiServer s = server(50, 4, 4, true); // 100 tokens at 50 ms a step: ~5 s
        try (Socket socket = streamOver(s, "{\"prompt\":\"too long\",\"max_tokens\":100,\"temperature\":0,\"stream\":true}")) {
            assertThat(s.drain(Duration.ofMillis(300))).isFalse();
            assertThat(scheduler.runningRequests()).isEqualTo(1);
        }
    }

    @Test
    void tokenizeAndDetokenizeUseTheServedTokenizer() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        JsonNode t = JSON.readTree(post(s, "/tokenize", "{\"model\":\"tiny\",\"prompt\":\"hello\"}").body());
        assertThat(t.get("count").asInt()).isEqualTo(6);
        assertThat(t.get("max_model_len").asInt()).isEqualTo(MAX_MODEL_LEN);
        assertThat(JSON.convertValue(t.get("tokens"), int[].class)).containsExactly(TOKENIZER.encode("hello", true));
        JsonNode plain = JSON.readTree(post(s, "/tokenize", "{\"prompt\":\"hello\",\"add_special_tokens\":false}").body());
        assertThat(JSON.convertValue(plain.get("tokens"), int[].class)).containsExactly(TOKENIZER.encode("hello", false));
        JsonNode chat = JSON.readTree(post(s, "/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body());
        assertThat(JSON.convertValue(chat.get("tokens"), int[].class)).containsExactly(
                TOKENIZER.encode(ChatTemplate.PLAIN.render(List.of(new ChatTemplate.Message("user", "hi"))), true));

        JsonNode back = JSON.readTree(post(s, "/detokenize", "{\"tokens\":" + plain.get("tokens") + "}").body());
        assertThat(back.get("prompt").asText()).isEqualTo("hello");

        assertThat(message(post(s, "/detokenize", "{\"tokens\":[2,99999]}"), 400))
                .isEqualTo("tokens[1] = 99999 is not a token id of this model (0.." + (FakeTokenizer.VOCAB - 1) + ")");
        assertThat(message(post(s, "/tokenize", "{\"prompt\":7}"), 400)).isEqualTo("'prompt' (a string) or 'messages' is required");
        assertThat(message(post(s, "/tokenize", "{\"model\":\"other\",\"prompt\":\"x\"}"), 404))
                .isEqualTo("The model 'other' does not exist; this server serves 'tiny'");
    }

    @Test
    void modelsAndMetricsUseTheOpenAiAndVllmNames() throws Exception {
        OpenAiServer s = server(0, 4, 4, false);
        JsonNode models = JSON.readTree(get(s, "/v1/models").body());
        assertThat(models.at("/data/0/id").asText()).isEqualTo("tiny");
        assertThat(models.at("/data/0/object").asText()).isEqualTo("model");
        post(s, "/v1/completions", "{\"prompt\":\"abcdefghijkl\",\"max_tokens\":5,\"temperature\":0}");
        post(s, "/v1/completions", "{\"prompt\":\"abcdefghijkl\",\"max_tokens\":5,\"temperature\":0}");
        HttpResponse<String> m = get(s, "/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains(
                "vllm:num_requests_running{model_name=\"tiny\"}",
                "vllm:num_requests_waiting{model_name=\"tiny\"}",
                "vllm:kv_cache_usage_perc{model_name=\"tiny\"}",
                "vllm:prefix_cache_queries_total{model_name=\"tiny\"} 26.0",
                "vllm:prefix_cache_hits_total{model_name=\"tiny\"} 12.0",
                "vllm:prompt_tokens_total{model_name=\"tiny\"} 26.0",
                "vllm:generation_tokens_total{model_name=\"tiny\"}",
                "vllm:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=",
                "vllm:inter_token_latency_seconds_bucket{",
                "vllm:e2e_request_latency_seconds_count{model_name=\"tiny\"} 2");
        // the rest of vLLM's request-level metrics, which its Grafana dashboard reads
        assertThat(m.body()).contains(
                "vllm:time_per_output_token_seconds_bucket{model_name=\"tiny\",le=\"0.01\"}",
                "vllm:request_queue_time_seconds_count{model_name=\"tiny\"} 2",
                "vllm:request_prefill_time_seconds_count{model_name=\"tiny\"} 2",
                "vllm:request_decode_time_seconds_count{model_name=\"tiny\"} 2",
                "vllm:request_inference_time_seconds_count{model_name=\"tiny\"} 2",
                "vllm:time_per_prefill_token_request_seconds_count{model_name=\"tiny\"} 2",
                "vllm:request_prompt_tokens_sum{model_name=\"tiny\"} 26.0",
                "vllm:request_prompt_tokens_bucket{model_name=\"tiny\",le=\"100.0\"} 2", // 1, 2, 5, ... 100 (max_model_len 128)
                "vllm:request_params_max_tokens_sum{model_name=\"tiny\"} 10.0",
                "vllm:request_params_n_count{model_name=\"tiny\"} 2");
        assertThat(m.body()).doesNotContain("le=\"200.0\"");
    }
}
