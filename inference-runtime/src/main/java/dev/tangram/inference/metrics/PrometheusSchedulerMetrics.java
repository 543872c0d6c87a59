package dev.tangram.inference.metrics;

import dev.tangram.inference.scheduler.ContinuousBatchScheduler;
import dev.tangram.inference.scheduler.FinishReason;
import dev.tangram.inference.scheduler.SchedulerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.concurrent.atomic.AtomicReference;

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
    private static final double[] E2E_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
            120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

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

    private void gauge(GaugeWithCallback.Callback cb, java.util.function.ToDoubleFunction<ContinuousBatchScheduler> f) {
        ContinuousBatchScheduler s = scheduler.get();
        if (s != null) {
            cb.call(f.applyAsDouble(s), model);
        }
    }

    /** Lets the gauges read the scheduler once it exists. */
    public void bind(ContinuousBatchScheduler s) {
        scheduler.set(s);
    }

    /** Labels everything from now on with this model name (known only once the model is loaded). */
    public void bind(ContinuousBatchScheduler s, String modelName) {
        this.model = modelName;
        scheduler.set(s);
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

    @Override
    public void interTokenLatency(double seconds) {
        itl.labelValues(model).observe(seconds);
    }

    @Override
    public void requestFinished(FinishReason reason, double e2eSeconds, int promptTokens, int generationTokens) {
        e2e.labelValues(model).observe(e2eSeconds);
        requestSuccess.labelValues(model, reason.openAiName()).inc();
    }
}
