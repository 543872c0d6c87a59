package dev.tangram.inference.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.inference.metrics.PrometheusSchedulerMetrics;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.scheduler.Admission;
import dev.tangram.inference.scheduler.EngineLoop;
import dev.tangram.inference.scheduler.FinishReason;
import dev.tangram.inference.scheduler.GenerationRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The OpenAI-compatible HTTP API: POST /v1/completions and /v1/chat/completions (JSON, or server-sent events when
 * {@code stream} is true), GET /v1/models, /v1/models/{model}, /v1/allocation, /health, /ready (503 until the model is loaded)
 * and /metrics; vLLM's POST /tokenize and /detokenize.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    private static final long IDLE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);
    /**
     * The largest request body read (Javalin's default is 1 MB): room for a 128K-token context given as token ids, or as
     * text, with its JSON around it.
     */
    static final long MAX_BODY_BYTES = 8L << 20;
    /** How often a request answering in one body looks at its connection for a client that left. */
    private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** The loaded model and the engine serving it. */
    public record Backend(ServingModel model, EngineLoop engine) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final RequestParser parser = new RequestParser(json);
    private final TokenizeApi tokenizeApi = new TokenizeApi(json, parser);
    private final PrometheusSchedulerMetrics metrics;
    private final Javalin app;
    private final long created = System.currentTimeMillis() / 1000;
    private volatile Backend backend;
    /** Shutting down: /ready says so and new completions are refused, while the ones in flight finish. */
    private volatile boolean draining;
    /** Completion requests being handled, from the parse of their body to the last byte of their answer. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Object allocation;

    public OpenAiServer(PrometheusSchedulerMetrics metrics, String host, int port) {
        this.metrics = metrics;
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.useVirtualThreads = true;
            cfg.http.disableCompression();
            cfg.http.prefer405over404 = true;
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.jetty.addConnector((server, httpConfig) -> {
                ServerConnector c = new ServerConnector(server);
                c.setHost(host);
                c.setPort(port);
                c.setIdleTimeout(IDLE_TIMEOUT_MS);
                return c;
            });
        });
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e));
        // no route for the path (404) or the method (405), a body too large (413): Javalin's own answers, in OpenAI's error shape
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e, ctx)));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, new ApiError(500, "server_error", "internal error: " + e, null, null));
        });
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/ready", ctx -> {
            if (draining) {
                ctx.status(503).json(Map.of("status", "draining"));
            } else if (backend == null) {
                ctx.status(503).json(Map.of("status", "loading"));
            } else {
                ctx.json(Map.of("status", "ready", "model", backend.model().name()));
            }
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/v1/models", this::models);
        app.get("/v1/models/<model>", this::model);
        app.get("/v1/allocation", ctx -> {
            Object a = allocation;
            if (a == null) {
                throw new ApiError(503, "service_unavailable", "the allocation is not computed yet (the model is loading)", null, null);
            }
            send(ctx, 200, a);
        });
        app.post("/tokenize", ctx -> send(ctx, 200, tokenizeApi.tokenize(backend().model(), ctx.body())));
        app.post("/detokenize", ctx -> send(ctx, 200, tokenizeApi.detokenize(backend().model(), ctx.body())));
        app.post("/v1/completions", ctx -> counted(ctx, false));
        app.post("/v1/chat/completions", ctx -> counted(ctx, true));
    }

    public OpenAiServer start() {
        app.start();
        return this;
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    /** Publishes the allocation and KV cache arithmetic at /v1/allocation. */
    public void allocation(Object allocationJson) {
        this.allocation = allocationJson;
    }

    /** The model is loaded: /ready answers 200 and the completion routes serve. */
    public void ready(Backend b) {
        this.backend = b;
    }

    public PrometheusSchedulerMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * Javalin's own answers (no route for the path or the method, a body over the limit) as an {@link ApiError} that says
     * what was asked for.
     */
    private static ApiError fromJavalin(HttpResponseException e, Context ctx) {
        String message = switch (e.getStatus()) {
            case 404 -> "no route " + ctx.method() + " " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path() + "; use "
                    + e.getDetails().getOrDefault("availableMethods", "another method");
            case 413 -> "the request body is larger than this server's limit of " + MAX_BODY_BYTES + " bytes";
            default -> e.getMessage();
        };
        return new ApiError(e.getStatus(), "invalid_request_error", message, null, null);
    }

    private Backend backend() {
        Backend b = backend;
        if (b == null) {
            throw new ApiError(503, "service_unavailable", "the model is still loading; see /ready", null, null);
        }
        return b;
    }

    private void models(Context ctx) {
        ObjectNode body = json.createObjectNode().put("object", "list");
        body.putArray("data").add(modelObject(backend().model()));
        send(ctx, 200, body);
    }

    /** GET /v1/models/{model}: the served model's object, or 404 {@code model_not_found}. */
    private void model(Context ctx) {
        ServingModel model = backend().model();
        model.requireServed(ctx.pathParam("model"));
        send(ctx, 200, modelObject(model));
    }

    private ObjectNode modelObject(ServingModel model) {
        return json.createObjectNode().put("id", model.name()).put("object", "model").put("created", created).put("owned_by", "tangram")
                .put("max_model_len", model.maxModelLen());
    }

    /**
     * Stops taking completions and waits, up to {@code timeout}, until the ones in flight have been answered (queued,
     * generating, or being written); answers whether they all were. /ready turns 503 ("draining") at once, so that the
     * pod leaves its Service's endpoints, and a completion that still arrives gets a 503 to retry elsewhere.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        int left = inFlight.get();
        LOG.info("draining: {} completion request(s) in flight; waiting up to {} s", left, timeout.toSeconds());
        while ((left = inFlight.get()) > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        if (left > 0) {
            LOG.warn("drain deadline passed with {} completion request(s) still in flight; they are cut off", left);
        } else {
            LOG.info("drained: every completion request answered");
        }
        return left == 0;
    }

    private void counted(Context ctx, boolean chat) throws IOException, InterruptedException {
        inFlight.incrementAndGet();
        try {
            if (draining) {
                throw new ApiError(503, "service_unavailable", "the server is shutting down; send the request to another replica",
                        null, null);
            }
            generate(ctx, chat);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void generate(Context ctx, boolean chat) throws IOException, InterruptedException {
        Backend b = backend();
        CompletionParams p = parser.parse(ctx.body(), chat);
        ServingModel model = b.model();
        if (p.model() != null) {
            model.requireServed(p.model());
        }
        String promptParam = chat ? "messages" : "prompt";
        ToolCallFormat format = ToolCallFormat.of(model.chatTemplate());
        List<int[]> prompts = new ArrayList<>();
        AnswerSplit.Mode reasoning = AnswerSplit.Mode.OFF;
        if (chat) {
            List<ChatTemplate.Message> given = model.withDefaultSystem(p.messages());
            List<ChatTemplate.Message> messages = switch (p.tools()) {
                case ToolChoice named -> named.prompt(given, json);
                case AutoTools auto -> format.prompt(given, auto.functions());
                case null -> given;
            };
            String prompt = model.render(messages, p.enableThinking(), p.reasoningEffort());
            prompts.add(model.tokenizer().encode(prompt, true));
            // an answer held to JSON (response_format, a named function) has no reasoning to split off, nor Harmony messages
            boolean free = !(p.tools() instanceof ToolChoice) && p.sampling().rules().json() == null;
            if (free && model.chatTemplate() == ChatTemplate.HARMONY) {
                reasoning = AnswerSplit.Mode.harmony(model.splitsReasoning(p.reasoningFormat()), p.tools() instanceof AutoTools);
            } else if (free && model.splitsReasoning(p.reasoningFormat())) {
                reasoning = AnswerSplit.Mode.think(prompt.endsWith(ChatTemplate.Thinking.OPEN));
            }
        } else {
            for (CompletionParams.Prompt given : p.prompts()) {
                prompts.add(given.tokens() != null ? given.tokens() : model.tokenizer().encode(given.text(), true));
            }
        }
        int[] maxTokens = new int[prompts.size()];
        List<PromptEcho> echoes = new ArrayList<>(); // per prompt, where echoed: every choice of a prompt shows the same
        for (int i = 0; i < prompts.size(); i++) {
            maxTokens[i] = maxTokens(p, model, prompts.get(i), promptParam, prompts.size() == 1 ? "" : " (prompt " + i + ")");
            echoes.add(p.echo() ? PromptEcho.of(model.tokenizer(), prompts.get(i)) : null);
        }
        checkRules(p, model, Arrays.stream(maxTokens).min().orElseThrow());
        int n = p.n();
        int total = prompts.size() * n;
        int maxWaiting = b.engine().scheduler().settings().maxWaiting();
        if (total > maxWaiting) {
            throw ApiError.invalid((prompts.size() == 1 ? "'n' (" + n : "'n' × prompts (" + n + " × " + prompts.size()) + ") is more than "
                    + "this server queues at once (" + maxWaiting + " sequences; scheduler.maxWaiting)", prompts.size() == 1 ? "n" : "prompt");
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        // choice c answers prompt c / n with sample c % n, as OpenAI orders the choices of several prompts
        List<String> engineIds = total == 1 ? List.of(id) : IntStream.range(0, total).mapToObj(c -> id + "-" + c).toList();
        // a Harmony answer's markers keep their text for the split to read them by
        Set<Integer> kept = reasoning.harmony() ? model.structuralTokens() : Set.of();
        GenerationStream stream = new GenerationStream();
        List<TextAssembler> texts = new ArrayList<>();
        List<PromptEcho> choiceEchoes = new ArrayList<>();
        for (int c = 0; c < total; c++) {
            int[] prompt = prompts.get(c / n);
            // sample j draws with seed + j: the samples differ, and the same seed gives the same samples again
            SamplingParams sampling = p.sampling().withSeed(p.sampling().seed() + c % n);
            // max_tokens 0 (allowed with echo only) still generates one token, which the engine needs to finish: it is dropped
            submit(b.engine(), new GenerationRequest(engineIds.get(c), prompt, Math.max(1, maxTokens[c / n]), sampling, stream.sink(c),
                    p.ignoreEos(), p.logprobs(), p.echo() ? p.logprobs() : -1), engineIds.subList(0, c), promptParam);
            texts.add(new TextAssembler(model.tokenizer(), p.text(), p.sampling().rules().minTokens(), kept));
            choiceEchoes.add(echoes.get(c / n));
        }
        metrics.requestParamsN(n);
        Reply reply = new Reply(json, id, model.name(), chat, System.currentTimeMillis() / 1000,
                new LogprobsJson(json, model.tokenizer(), p.tokensAsIds()), p.logprobs() >= 0, p.tools(), format, reasoning);
        AnswerDrain drain = new AnswerDrain(b.engine(), stream, engineIds, texts, WATCH_NANOS, choiceEchoes,
                p.maxTokens() != null && p.maxTokens() == 0);
        if (p.stream()) {
            stream(ctx, p, drain, reply);
        } else {
            whole(ctx, n, drain, reply);
        }
    }

    /**
     * The completion's length for one prompt: the client's {@code max_tokens} where it fits the context, else a 400; without
     * one, OpenAI's defaults bounded by the context and the cache.
     */
    private static int maxTokens(CompletionParams p, ServingModel model, int[] prompt, String promptParam, String which) {
        if (prompt.length == 0) {
            throw ApiError.invalid("the prompt is empty" + which, promptParam);
        }
        int room = model.maxModelLen() - prompt.length;
        if (room < 1) {
            throw ApiError.invalid("This model's maximum context length is " + model.maxModelLen() + " tokens; the prompt has "
                    + prompt.length + " tokens" + which, promptParam);
        }
        if (p.maxTokens() != null) {
            if (p.maxTokens() > room) {
                throw ApiError.invalid("This model's maximum context length is " + model.maxModelLen() + " tokens; you asked for "
                        + (prompt.length + p.maxTokens()) + " (" + prompt.length + " in the prompt, " + p.maxTokens()
                        + " for the completion)" + which, p.chat() ? "max_completion_tokens" : "max_tokens");
            }
            return p.maxTokens();
        }
        long cacheRoom = model.cacheTokens() - prompt.length;
        return (int) Math.max(1, Math.min(p.chat() ? room : Math.min(16, room), cacheRoom));
    }

    /** Queues one choice's engine request; where it is refused, cancels the choices queued before it and says why. */
    private static void submit(EngineLoop engine, GenerationRequest request, List<String> queuedBefore, String promptParam) {
        Admission admission = engine.submit(request);
        if (admission instanceof Admission.Queued) {
            return;
        }
        queuedBefore.forEach(engine::cancel);
        switch (admission) {
            case Admission.Overloaded o -> throw new ApiError(429, "rate_limit_error", "The server is overloaded: " + o.reason()
                    + "; retry later", null, "rate_limit_exceeded");
            case Admission.Invalid i -> throw ApiError.invalid(i.reason(), promptParam);
            case Admission.Queued q -> throw new IllegalStateException("unreachable");
        }
    }

    /** The checks on the logit rules that need the model or the request's final {@code max_tokens}. */
    private static void checkRules(CompletionParams p, ServingModel model, int maxTokens) {
        for (int token : p.text().stopTokenIds()) {
            if (token >= model.tokenizer().vocabSize()) {
                throw ApiError.invalid("'stop_token_ids' names token " + token + ", but the vocabulary has " + model.tokenizer().vocabSize()
                        + " tokens", "stop_token_ids");
            }
        }
        for (int token : p.sampling().rules().logitBias().keySet()) {
            if (token >= model.tokenizer().vocabSize()) {
                throw ApiError.invalid("'logit_bias' names token " + token + ", but the vocabulary has " + model.tokenizer().vocabSize()
                        + " tokens", "logit_bias");
            }
        }
        int minTokens = p.sampling().rules().minTokens();
        if (minTokens > maxTokens) {
            throw ApiError.invalid("'min_tokens' (" + minTokens + ") must not be greater than the completion's maximum of " + maxTokens
                    + " tokens", "min_tokens");
        }
    }

    /**
     * Answers in one body once every choice has finished. Its connection is watched meanwhile ({@link ClientConnection}):
     * a client that leaves has its request cancelled and its blocks freed within {@link #WATCH_NANOS}, as a streaming
     * client's are at the next token it can no longer be sent.
     */
    private void whole(Context ctx, int samples, AnswerDrain drain, Reply reply) throws InterruptedException {
        int n = drain.choices();
        List<StringBuilder> texts = new ArrayList<>();
        List<List<LogprobsJson.Logged>> logprobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add(new StringBuilder());
            logprobs.add(new ArrayList<>());
        }
        AnswerDrain.Outcome[] outcomes = new AnswerDrain.Outcome[n];
        try (ClientConnection client = ClientConnection.of(ctx)) {
            try {
                drain.run(client::gone, new AnswerDrain.Listener() {
                    @Override
                    public void text(int choice, String text, List<LogprobsJson.Logged> logged) {
                        texts.get(choice).append(text);
                        logprobs.get(choice).addAll(logged);
                    }

                    @Override
                    public void finished(int choice, AnswerDrain.Outcome outcome) {
                        outcomes[choice] = outcome;
                    }
                });
            } catch (ClientGone gone) {
                LOG.debug("client of {} went away before its answer", reply.id());
                return;
            }
            if (client.mustClose()) {
                ctx.header("Connection", "close");
            }
        }
        for (AnswerDrain.Outcome o : outcomes) {
            if (o.completion().reason() == FinishReason.ERROR) {
                throw new ApiError(500, "server_error", o.completion().error(), null, null);
            }
        }
        List<ObjectNode> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            choices.add(reply.choice(i, texts.get(i).toString(), logprobs.get(i), outcomes[i]));
        }
        send(ctx, 200, reply.whole(choices, Usage.of(outcomes, samples)));
    }

    private void stream(Context ctx, CompletionParams p, AnswerDrain drain, Reply reply) throws IOException, InterruptedException {
        int n = drain.choices();
        ctx.res().setStatus(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        AnswerDrain.Outcome[] outcomes = new AnswerDrain.Outcome[n];
        try {
            if (reply.chat()) {
                for (int i = 0; i < n; i++) {
                    event(out, reply.roleChunk(i));
                }
            }
            ChoiceWriter writer = new ChoiceWriter(out, reply, n);
            drain.run(() -> false, new AnswerDrain.Listener() {
                @Override
                public void text(int choice, String text, List<LogprobsJson.Logged> logged) {
                    writer.text(choice, text, logged);
                }

                @Override
                public void finished(int choice, AnswerDrain.Outcome o) {
                    outcomes[choice] = o;
                    if (o.completion().reason() == FinishReason.ERROR) {
                        ObjectNode err = json.createObjectNode();
                        err.putObject("error").put("message", o.completion().error()).put("type", "server_error").putNull("param")
                                .putNull("code");
                        write(out, err);
                    } else {
                        writer.finished(choice, o);
                    }
                }
            });
            if (p.includeUsage()) {
                event(out, reply.usageChunk(Usage.of(outcomes, p.n())));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (ClientGone | IOException e) {
            LOG.debug("client of {} went away: {}", reply.id(), e.toString());
            drain.cancelRunning();
        }
    }

    /**
     * Writes the streamed pieces of each choice of one answer: reasoning, where it is split off; then text, a named call's
     * arguments, or auto calls held to the end.
     */
    private final class ChoiceWriter {
        private final OutputStream out;
        private final Reply reply;
        /**
         * Per choice, where the answer is split (its reasoning split off, or its Harmony messages read): the split, and the
         * log-probabilities of the text it holds.
         */
        private final AnswerSplit[] reasoning;
        private final List<List<LogprobsJson.Logged>> heldLogged = new ArrayList<>();
        /** Per choice, where the model may call functions as it likes: the text held back. */
        private final ToolCallStream[] auto;
        /** Per choice, for a named call: whether its first piece (id and name) has gone. */
        private final boolean[] named;

        ChoiceWriter(OutputStream out, Reply reply, int n) {
            this.out = out;
            this.reply = reply;
            this.reasoning = new AnswerSplit[n];
            this.auto = new ToolCallStream[n];
            this.named = new boolean[n];
            for (int i = 0; i < n; i++) {
                reasoning[i] = reply.reasoning().start();
                heldLogged.add(new ArrayList<>());
            }
            if (reply.tools() instanceof AutoTools tools) {
                java.util.Arrays.setAll(auto, i -> new ToolCallStream(tools, reply.format()));
            }
        }

        void text(int choice, String text, List<LogprobsJson.Logged> logged) {
            if (reasoning[choice] == null) {
                answer(choice, text, logged);
                return;
            }
            heldLogged.get(choice).addAll(logged);
            split(choice, reasoning[choice].add(text));
        }

        /** Sends a piece of the reasoning and of the answer, with the log-probabilities held so far. */
        private void split(int choice, AnswerSplit.Piece piece) {
            List<LogprobsJson.Logged> held = heldLogged.get(choice);
            if (!piece.reasoning().isEmpty()) {
                write(out, reply.reasoningChunk(choice, piece.reasoning(), List.copyOf(held)));
                held.clear();
            }
            if (!piece.content().isEmpty()) {
                answer(choice, piece.content(), List.copyOf(held));
                held.clear();
            }
        }

        /** A piece of the answer (after the reasoning, where it is split off). */
        private void answer(int choice, String text, List<LogprobsJson.Logged> logged) {
            if (auto[choice] != null) {
                String now = auto[choice].add(text, logged);
                if (!now.isEmpty()) {
                    write(out, reply.textChunk(choice, now, auto[choice].takeLogged()));
                }
            } else if (!text.isEmpty() || !logged.isEmpty()) {
                write(out, reply.tools() instanceof ToolChoice call ? reply.callChunk(choice, 0, call.name(), text, logged, !named[choice])
                        : reply.textChunk(choice, text, logged));
                named[choice] = true;
            }
        }

        void finished(int choice, AnswerDrain.Outcome outcome) {
            if (reasoning[choice] != null) {
                split(choice, reasoning[choice].finish());
                if (!heldLogged.get(choice).isEmpty()) {
                    answer(choice, "", List.copyOf(heldLogged.get(choice)));
                }
            }
            boolean called = reply.tools() instanceof ToolChoice;
            if (auto[choice] != null) {
                ToolCallFormat.Parsed rest = auto[choice].finish();
                List<LogprobsJson.Logged> logged = auto[choice].takeLogged();
                if (rest.content() != null && (!rest.content().isEmpty() || !logged.isEmpty() && rest.calls().isEmpty())) {
                    write(out, reply.textChunk(choice, rest.content(), logged));
                    logged = List.of();
                }
                for (int k = 0; k < rest.calls().size(); k++) {
                    ChatTemplate.ToolCall call = rest.calls().get(k);
                    write(out, reply.callChunk(choice, k, call.name(), call.arguments(), k == 0 ? logged : List.of(), true));
                }
                called = !rest.calls().isEmpty();
            }
            write(out, reply.finishChunk(choice, reply.finishReason(outcome.finishReason(), called), outcome));
        }
    }

    /** {@link #event}, for the drain's listener: a write that fails means the client has gone. */
    private void write(OutputStream out, Object chunk) {
        try {
            event(out, chunk);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private void event(OutputStream out, Object chunk) throws IOException {
        out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void send(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private void error(Context ctx, ApiError e) {
        ObjectNode body = json.createObjectNode();
        ObjectNode err = body.putObject("error");
        err.put("message", e.getMessage()).put("type", e.type());
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        if (e.code() == null) {
            err.put("code", e.status());
        } else {
            err.put("code", e.code());
        }
        send(ctx, e.status(), body);
    }
}
