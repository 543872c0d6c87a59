package dev.tangram.inference.server;

import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.inference.allocation.HeapRoom;
import dev.tangram.inference.allocation.KvCachePlan;
import dev.tangram.inference.allocation.MemoryBudget;
import dev.tangram.inference.allocation.PodAllocation;
import dev.tangram.inference.allocation.PodAllocationReader;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.http.ChatTemplate;
import dev.tangram.inference.http.OpenAiServer;
import dev.tangram.inference.http.ReasoningFormat;
import dev.tangram.inference.http.ServingModel;
import dev.tangram.inference.kernels.MatmulKernel;
import dev.tangram.inference.metrics.PrometheusSchedulerMetrics;
import dev.tangram.inference.model.HeapUse;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.scheduler.ContinuousBatchScheduler;
import dev.tangram.inference.scheduler.EngineLoop;
import dev.tangram.inference.scheduler.TokenSampler;
import dev.tangram.inference.scheduler.SchedulerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The whole server put together: HTTP first (so /health and /ready answer while loading), then the model, the
 * allocation and the KV cache arithmetic, then the engine; /ready turns 200 at the end.
 */
public final class InferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);

    private final OpenAiServer http;
    private final LoadedModel model;
    private final EngineLoop engine;
    private final KvCachePlan plan;

    private InferenceServer(OpenAiServer http, LoadedModel model, EngineLoop engine, KvCachePlan plan) {
        this.http = http;
        this.model = model;
        this.engine = engine;
        this.plan = plan;
    }

    /**
     * Starts serving {@code modelFile}.
     *
     * @param env   the environment to read the allocation from
     * @param probe the GPU probe when a GPU library is present
     * @throws StartupRefusedException when the model cannot be loaded or does not fit, or the allocation is malformed
     */
    public static InferenceServer start(Path modelFile, ServerConfig config, Map<String, String> env, Optional<GpuProbe> probe) {
        PodAllocation allocation;
        try {
            allocation = readAllocation(env, probe);
        } catch (IllegalArgumentException e) {
            throw new StartupRefusedException(e.getMessage(), e);
        }
        String provisionalName = config.modelName().isEmpty() ? modelFile.getFileName().toString() : config.modelName();
        OpenAiServer http = null;
        LoadedModel model = null;
        try {
            LoadedModel loaded;
            PrometheusSchedulerMetrics metrics = new PrometheusSchedulerMetrics(provisionalName);
            http = new OpenAiServer(metrics, config.host(), config.port()).start();
            LOG.info("listening on {}:{}; loading {}", config.host(), http.port(), modelFile);
            MemoryBudget budget = MemoryBudget.of(allocation, config.cpuBudgetMib());
            try {
                loaded = ModelLoader.load(modelFile, Runtime.getRuntime().availableProcessors(), config.readAhead(), config.weightLayout(),
                        config.q4Activations(), config.maxModelLen(), weightBytes -> servingHeap(budget, config, weightBytes));
            } catch (IOException e) {
                throw new StartupRefusedException("cannot read the model " + modelFile + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new StartupRefusedException("cannot load the model " + modelFile + ": " + e.getMessage(), e);
            }
            model = loaded;
            if (loaded.file().paths().size() > 1) {
                LOG.info("the model is split over {} files: {}", loaded.file().paths().size(), loaded.file().paths());
            }
            LOG.info("one-token kernels: {}", loaded.readAhead().describe());
            LOG.info("weight layout: {}", loaded.layout());
            LlamaConfig c = loaded.config();
            if (c.longRope() != LlamaConfig.LongRope.NONE) {
                boolean longFactors = c.longRope().takesLong(c.contextLength());
                LOG.info("LongRoPE: the {} factors (a served context of {} {} the original {}), attention factor {}", longFactors ? "long" : "short",
                        c.contextLength(), longFactors ? "past" : "within", c.longRope().originalContext(), c.rope().attentionFactor());
            }
            if (c.rope().yarn().present()) {
                LOG.info("YaRN: a context of {} extended by a factor of {} (rotated values × {})", c.rope().yarn().originalContext(),
                        1 / c.ropeScale(), c.rope().magnitude(c.ropeScale()));
            }
            if (c.scales().queryTemperature() != 0) {
                LOG.info("query temperature: queries × (1 + {} · ln(⌊position / {}⌋ + 1))", c.scales().queryTemperature(),
                        c.scales().temperatureFloor());
            }
            if (c.experts().present()) {
                LOG.info("mixture of experts: {} experts per block, {} per token, each {} wide", c.experts().count(), c.experts().used(),
                        c.experts().ffn());
            }
            int maxModelLen = config.maxModelLen() == 0 ? c.contextLength() : Math.min(config.maxModelLen(), c.contextLength());
            KvCachePlan plan = KvCachePlan.compute(budget, config.utilisation(), c, config.blockSize(), config.kvCacheType(),
                    loaded.weightBytes(), loaded.forwardPass().activationBytes(config.maxBatchTokens()), HeapRoom.forLongLivedArrays(),
                    maxModelLen, config.windowCache(), config.maxRunning(), config.maxBatchTokens());
            LOG.info(plan.arithmetic(c));
            if (!plan.fits()) {
                throw new StartupRefusedException(plan.refusal() + " [" + plan.arithmetic(c) + "]");
            }
            String name = config.modelName().isEmpty() ? loaded.name() : config.modelName();
            PagedKvCache cache = new PagedKvCache(c, plan.blocks(), plan.window().blocks(), config.blockSize(), config.kvCacheType());
            ContinuousBatchScheduler scheduler = new ContinuousBatchScheduler(loaded.forwardPass(), cache,
                    new SchedulerSettings(config.maxBatchTokens(), config.maxRunning(), config.maxWaiting(), maxModelLen),
                    TokenSampler.perRequest(loaded.tokenizer()), loaded.tokenizer()::isEndOfGeneration, metrics);
            metrics.bind(scheduler, name);
            metrics.cacheConfig(config.blockSize(), plan.type().word(), config.utilisation(), plan.blocks());
            EngineLoop engine = new EngineLoop(scheduler).start();
            http.allocation(allocationJson(allocation, plan, c, name));
            String jinja = loaded.chatTemplate().orElse(null);
            ChatTemplate template = ChatTemplate.detect(jinja);
            ChatTemplate.Thinking thinking = ChatTemplate.thinking(jinja);
            http.ready(new OpenAiServer.Backend(new ServingModel(name, loaded.tokenizer(), template, maxModelLen, plan.tokens(),
                    ChatTemplate.defaultSystemPrompt(jinja).orElse(null), thinking, config.reasoningFormat()), engine));
            LlamaConfig shape = loaded.config();
            LOG.info("serving {} ({}: {} layers, {} query heads of {} over {} KV heads; chat template {}{}) on port {}: {} KV blocks of {} "
                    + "tokens, max model len {}; kernels on {} threads, {}", name, shape.architecture().ggufName(), shape.layers(),
                    shape.heads(), shape.headDim(), shape.kvHeads(), template.name().toLowerCase(Locale.ROOT), reasoningNote(template, thinking, config),
                    http.port(), plan.blocks(), config.blockSize(), maxModelLen, loaded.pool().size(), MatmulKernel.vectorShape());
            return new InferenceServer(http, loaded, engine, plan);
        } catch (RuntimeException | Error e) {
            // an Error too (an OutOfMemoryError while the cache is allocated): a live HTTP server would keep the JVM up
            if (http != null) {
                http.close();
            }
            if (model != null) {
                model.close();
            }
            throw e;
        }
    }

    /**
     * The most this server's heap fills ({@link HeapUse#serving}): what it holds now, its young generation, and what the
     * budget leaves the KV cache and activations beside weights of {@code weightBytes}.
     */
    private static HeapUse servingHeap(MemoryBudget budget, ServerConfig config, long weightBytes) {
        Runtime rt = Runtime.getRuntime();
        return HeapUse.serving(rt.maxMemory(), rt.totalMemory() - rt.freeMemory(), HeapRoom.youngGenerationMax(),
                (long) (budget.bytes() * config.utilisation()) - weightBytes);
    }

    /** For the serving line: what a reasoning model's template does with reasoning, and where its reasoning goes. */
    private static String reasoningNote(ChatTemplate template, ChatTemplate.Thinking thinking, ServerConfig config) {
        String where = config.reasoningFormat() == ReasoningFormat.AUTO ? ", split into reasoning_content" : ", left in the content";
        if (template == ChatTemplate.HARMONY) {
            return ", reasoning in the analysis channel" + where;
        }
        if (!thinking.reasons()) {
            return "";
        }
        return ", reasoning " + (thinking.opens() ? "opened by the prompt" : "in <think> blocks")
                + (thinking.switchable() ? ", enable_thinking read" : "") + where;
    }

    private static PodAllocation readAllocation(Map<String, String> env, Optional<GpuProbe> probe) {
        Optional<NodeInventory> inventory = probe.map(GpuProbe::inventory);
        Map<String, GpuMetrics> metrics = new LinkedHashMap<>();
        if (probe.isPresent() && inventory.isPresent()) {
            for (var g : inventory.get().gpus()) {
                if (!g.migEnabled()) {
                    try {
                        metrics.put(g.uuid(), probe.get().metrics(g.uuid()));
                    } catch (RuntimeException e) {
                        LOG.warn("no memory reading for {}: {}", g.uuid(), e.getMessage());
                    }
                }
            }
        }
        return PodAllocationReader.read(env, inventory, metrics, probe.map(GpuProbe::name).orElse("none"));
    }

    /** The body of /v1/allocation. */
    static Map<String, Object> allocationJson(PodAllocation a, KvCachePlan p, LlamaConfig c, String model) {
        Map<String, Object> alloc = new LinkedHashMap<>();
        alloc.put("visibleDevicesVariable", a.visibleVariable());
        alloc.put("visibleDevices", a.visible().all() ? List.of("all") : a.visible().ids());
        alloc.put("devices", a.devices().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.id());
            m.put("uuid", d.uuid());
            m.put("kind", d.kind());
            m.put("product", d.product());
            m.put("memoryMib", d.memoryMib());
            d.freeMib().ifPresent(f -> m.put("freeMib", f));
            return m;
        }).toList());
        alloc.put("unresolved", a.unresolved());
        alloc.put("memoryLimitMib", a.memoryLimitMib().isPresent() ? a.memoryLimitMib().getAsLong() : null);
        alloc.put("probe", a.probe());
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("budgetBytes", p.budget().bytes());
        kv.put("budgetSource", p.budget().source());
        kv.put("gpuBudget", p.budget().gpu());
        kv.put("utilisation", p.utilisation());
        kv.put("weightBytes", p.weightBytes());
        kv.put("activationBytes", p.activationBytes());
        kv.put("layers", c.layers());
        kv.put("kvHeads", c.kvHeads());
        kv.put("headDim", c.headDim());
        kv.put("cacheType", p.type().word());
        kv.put("bytesPerElement", p.type().bytesPerElement());
        kv.put("blockSize", p.blockSize());
        kv.put("bytesPerBlock", p.bytesPerBlock());
        kv.put("budgetBlocks", p.budgetBlocks());
        kv.put("heapBlocks", p.heapBlocks());
        kv.put("blocks", p.blocks());
        kv.put("tokens", p.tokens());
        kv.put("maxModelLen", p.maxModelLen());
        if (p.window().layers() > 0) {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("layers", p.window().layers());
            window.put("size", p.window().size());
            window.put("blocks", p.window().blocks());
            window.put("bytesPerBlock", p.window().bytesPerBlock());
            window.put("sizing", p.window().sizing().word());
            window.put("sequences", p.window().sequences());
            kv.put("slidingWindowPool", window);
        } else {
            kv.put("slidingWindowPool", null);
        }
        kv.put("arithmetic", p.arithmetic(c));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("allocation", alloc);
        body.put("kvCache", kv);
        return body;
    }

    public int port() {
        return http.port();
    }

    public KvCachePlan plan() {
        return plan;
    }

    public dev.tangram.inference.tokenizer.Tokenizer tokenizer() {
        return model.tokenizer();
    }

    public dev.tangram.inference.model.LlamaConfig modelConfig() {
        return model.config();
    }

    /** The one-token kernels' read-ahead distance and how it was chosen (config {@code engine.readAhead}). */
    public dev.tangram.inference.kernels.ReadAheadCalibration.Choice readAhead() {
        return model.readAhead();
    }

    public EngineLoop engine() {
        return engine;
    }

    @Override
    public void close() {
        http.close();
        engine.close();
        model.close();
    }

    /**
     * What SIGTERM does: stops taking completions, lets the ones in flight finish for up to {@code timeout}, then closes;
     * answers whether all of them finished.
     */
    public boolean drainAndClose(Duration timeout) throws InterruptedException {
        try {
            return http.drain(timeout);
        } finally {
            close();
        }
    }
}
