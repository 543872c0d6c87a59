package dev.tangram.extender.metrics;

import dev.tangram.extender.ExtenderMetrics;
import dev.tangram.extender.state.ClusterState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;

/**
 * The extender's metrics in Prometheus form: latency histograms per verb and outcome, decisions and rejections by reason,
 * and gauges of the cluster state (nodes, pods, assumed decisions, gang plans and their reserved slots).
 */
public final class MicrometerExtenderMetrics implements ExtenderMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public MicrometerExtenderMetrics(ClusterState state) {
        Gauge.builder("tangram_extender_cache_nodes", () -> state.figures().nodes()).description("nodes in the cache").register(registry);
        Gauge.builder("tangram_extender_cache_pods", () -> state.figures().pods()).description("pods in the cache").register(registry);
        Gauge.builder("tangram_extender_assumed_decisions", () -> state.figures().assumedDecisions())
                .description("decisions made at bind, not yet seen on the pod").register(registry);
        Gauge.builder("tangram_extender_gang_reservations", () -> state.figures().gangPlans())
                .description("active gang plans").register(registry);
        Gauge.builder("tangram_extender_gang_reserved_slots", () -> state.figures().reservedSlots())
                .description("gang members whose devices are reserved, not yet bound").register(registry);
    }

    @Override
    public void request(String verb, String outcome, Duration elapsed) {
        Timer.builder("tangram_extender_request_seconds").description("extender request latency")
                .tag("verb", verb).tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(0).plusNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry).record(elapsed);
    }

    @Override
    public void decision(String verb, String decision, long count) {
        if (count > 0) {
            Counter.builder("tangram_extender_decisions_total").tag("verb", verb).tag("decision", decision)
                    .register(registry).increment(count);
        }
    }

    @Override
    public void rejection(String verb, String reason, long count) {
        if (count > 0) {
            Counter.builder("tangram_extender_rejections_total").tag("verb", verb).tag("reason", reason)
                    .register(registry).increment(count);
        }
    }

    public String scrape() {
        return registry.scrape();
    }
}
