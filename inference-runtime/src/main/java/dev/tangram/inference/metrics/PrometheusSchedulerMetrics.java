package dev.tangram.inference.metrics;

import dev.tangram.inference.scheduler.ContinuousBatchScheduler;
import dev.tangram.inference.scheduler.FinishedRequest;
import dev.tangram.inference.scheduler.SchedulerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The server's metrics under vLLM's names ({@code vllm:...}, label {@code model_name}), registered directly with the
 * Prometheus client so the colon survives (Micrometer's naming convention would rewrite it), in the same registry as
 * Micrometer's own meters, so one scrape shows both. Exemplars are off (no tracing here).
 */
public final class PrometheusSchedulerMetrics implements SchedulerMetrics {
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
            7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
            10.0, 20.0, 40.0, 80.0};
    /** vLLM's bounds for every whole-request time: end to end, queue, prefill, decode, inference. */
    private static final double[] E2E_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
            120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    private static final double[] PREFILL_TOKEN_BUCKETS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
    private static final double[] N_BUCKETS = {1, 2, 5, 10, 20};

    private final PrometheusMeterRegistry registry;
    private volatile String model;
    private final AtomicReference<ContinuousBatchScheduler> scheduler = new AtomicReference<>();
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter prefixQueries;
    private final Counter prefixHits;
    private final Counter preemptions;
    private final Counter requestSuccess;
    private final Histogram ttft;
    private final Histogram itl;
    private final Histogram e2e;
    private final Histogram tpot;
    private final Histogram queueTime;
    private final Histogram prefillTime;
    private final Histogram decodeTime;
    private final Histogram inferenceTime;
    private final Histogram prefillTimePerToken;
    private final Histogram paramsN;
    /** The token-count histograms, whose bounds (1, 2, 5, 10, ... up to max_model_len) are known once the model is. */
    private volatile TokenHistograms tokens;

    private record TokenHistograms(Histogram prompt, Histogram generation, Histogram maxTokens) {
    }

    /** Metrics labelled with the model's name; the gauges stay empty until {@link #bind} names the scheduler. */
    public PrometheusSchedulerMetrics(String modelName) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.model = modelName;
        PrometheusRegistry r = registry.getPrometheusRegistry();
        promptTokens = counter(r, "vllm:prompt_tokens", "Number of prefill tokens processed.");
        generationTokens = counter(r, "vllm:generation_tokens", "Number of generation tokens processed.");
        prefixQueries = counter(r, "vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.");
        prefixHits = counter(r, "vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.");
        preemptions = counter(r, "vllm:num_preemptions", "Cumulative number of preemptions from the engine.");
        requestSuccess = Counter.builder().withoutExemplars().name("vllm:request_success").help("Count of successfully processed requests.")
                .labelNames("model_name", "finished_reason").register(r);
        ttft = histogram(r, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT_BUCKETS);
        itl = histogram(r, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL_BUCKETS);
        e2e = histogram(r, "vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", E2E_BUCKETS);
        tpot = histogram(r, "vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", ITL_BUCKETS);
        queueTime = histogram(r, "vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", E2E_BUCKETS);
        prefillTime = histogram(r, "vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.", E2E_BUCKETS);
        decodeTime = histogram(r, "vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.", E2E_BUCKETS);
        inferenceTime = histogram(r, "vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.",
                E2E_BUCKETS);
        prefillTimePerToken = histogram(r, "vllm:time_per_prefill_token_request_seconds",
                "Time spent per token during prefill phase in seconds", PREFILL_TOKEN_BUCKETS);
        paramsN = histogram(r, "vllm:request_params_n", "Histogram of the n request parameter.", N_BUCKETS);
        GaugeWithCallback.builder().name("vllm:num_requests_running").help("Number of requests in model execution batches.")
                .labelNames("model_name").callback(cb -> gauge(cb, s -> s.runningRequests())).register(r);
        GaugeWithCallback.builder().name("vllm:num_requests_waiting").help("Number of requests waiting to be processed.")
                .labelNames("model_name").callback(cb -> gauge(cb, s -> s.waitingRequests())).register(r);
        GaugeWithCallback.builder().name("vllm:kv_cache_usage_perc").help("KV-cache usage. 1 means 100 percent usage.")
                .labelNames("model_name").callback(cb -> gauge(cb, ContinuousBatchScheduler::cacheUsage)).register(r);
    }

    private Counter counter(PrometheusRegistry r, String name, String help) {
        return Counter.builder().withoutExemplars().name(name).help(help).labelNames("model_name").register(r);
    }

    private static Histogram histogram(PrometheusRegistry r, String name, String help, double[] buckets) {
        return Histogram.builder().withoutExemplars().name(name).help(help).labelNames("model_name").classicOnly().classicUpperBounds(buckets).register(r);
    }

    private void gauge(GaugeWithCallback.Callback cb, ToDoubleFunction<ContinuousBatchScheduler> f) {
        ContinuousBatchScheduler s = scheduler.get();
        if (s != null) {
            cb.call(f.applyAsDouble(s), model);
        }
    }

    /** Lets the gauges read the scheduler once it exists, and sizes the token-count histograms to its context. */
    public void bind(ContinuousBatchScheduler s) {
        bind(s, model);
    }

    /** Labels everything from now on with this model name (known only once the model is loaded). */
    public synchronized void bind(ContinuousBatchScheduler s, String modelName) {
        this.model = modelName;
        if (tokens == null) {
            PrometheusRegistry r = registry.getPrometheusRegistry();
            double[] bounds = oneTwoFive(s.settings().maxModelLen());
            tokens = new TokenHistograms(histogram(r, "vllm:request_prompt_tokens", "Number of prefill tokens processed.", bounds),
                    histogram(r, "vllm:request_generation_tokens", "Number of generation tokens processed.", bounds),
                    histogram(r, "vllm:request_params_max_tokens", "Histogram of the max_tokens request parameter.", bounds));
        }
        scheduler.set(s);
    }

    /**
     * {@code vllm:cache_config_info}: always 1, the KV cache's configuration in its labels, under vLLM's label names
     * (read by routers that weigh replicas by their cache, e.g. for {@code block_size} and {@code num_gpu_blocks});
     * {@code cache_dtype} is Tangram's word for the element type (f16, f32 or q8_0), {@code enable_prefix_caching} Python's
     * {@code True} as vLLM writes it (prefix caching is always on here). Registered once, when the cache exists (the
     * registry refuses a second).
     */
    public void cacheConfig(int blockSize, String cacheDtype, double utilisation, int blocks) {
        String[] labels = {"model_name", "block_size", "cache_dtype", "enable_prefix_caching", "gpu_memory_utilization", "num_gpu_blocks"};
        String[] values = {model, Integer.toString(blockSize), cacheDtype, "True", Double.toString(utilisation), Integer.toString(blocks)};
        // an info metric: the client appends "_info" to the name, and the text format shows it as a gauge of 1, as vLLM's
        Info info = Info.builder().name("vllm:cache_config").help("Information of the LLMEngine CacheConfig").labelNames(labels)
                .register(registry.getPrometheusRegistry());
        info.setLabelValues(values);
    }

    /** 1, 2, 5, 10, 20, 50, ... up to {@code max} (vLLM's bounds for token counts). */
    static double[] oneTwoFive(long max) {
        List<Double> out = new ArrayList<>();
        for (long scale = 1; ; scale *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (m * scale > max) {
                    return out.stream().mapToDouble(Double::doubleValue).toArray();
                }
                out.add((double) (m * scale));
            }
        }
    }

    /** A request's {@code n} (choices asked for), observed once per request as vLLM does. */
    public void requestParamsN(int n) {
        paramsN.labelValues(model).observe(n);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of everything registered. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void promptTokens(int n) {
        promptTokens.labelValues(model).inc(n);
    }

    @Override
    public void generationTokens(int n) {
        generationTokens.labelValues(model).inc(n);
    }

    @Override
    public void prefixCache(int queried, int hits) {
        prefixQueries.labelValues(model).inc(queried);
        prefixHits.labelValues(model).inc(hits);
    }

    @Override
    public void preemption() {
        preemptions.labelValues(model).inc();
    }

    @Override
    public void timeToFirstToken(double seconds) {
        ttft.labelValues(model).observe(seconds);
    }

    /** Observed as both vLLM's inter-token latency and its time per output token, as vLLM's V1 engine does. */
    @Override
    public void interTokenLatency(double seconds) {
        itl.labelValues(model).observe(seconds);
        tpot.labelValues(model).observe(seconds);
    }

    @Override
    public void requestFinished(FinishedRequest r) {
        requestSuccess.labelValues(model, r.reason().openAiName()).inc();
        e2e.labelValues(model).observe(r.e2eSeconds());
        queueTime.labelValues(model).observe(r.queueSeconds());
        prefillTime.labelValues(model).observe(r.prefillSeconds());
        decodeTime.labelValues(model).observe(r.decodeSeconds());
        inferenceTime.labelValues(model).observe(r.inferenceSeconds());
        if (r.promptTokens() > 0) {
            prefillTimePerToken.labelValues(model).observe(r.prefillSeconds() / r.promptTokens());
        }
        TokenHistograms t = tokens;
        if (t != null) {
            t.prompt().labelValues(model).observe(r.promptTokens());
            t.generation().labelValues(model).observe(r.generationTokens());
            t.maxTokens().labelValues(model).observe(r.maxTokens());
        }
    }
}
