package dev.tangram.dra.metrics;

import dev.tangram.dra.DriverMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The driver's metrics in a Prometheus registry, scraped at {@code /metrics}. */
public final class MicrometerDriverMetrics implements DriverMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer prepare;
    private final Timer unprepare;
    private final Counter prepareErrors;
    private final Counter unprepareErrors;
    private final AtomicInteger prepared = new AtomicInteger();
    private final AtomicInteger healthy = new AtomicInteger();
    private final AtomicInteger unhealthy = new AtomicInteger();

    public MicrometerDriverMetrics() {
        prepare = Timer.builder("tangram_dra_prepare").description("NodePrepareResources time per claim")
                .publishPercentileHistogram().register(registry);
        unprepare = Timer.builder("tangram_dra_unprepare").description("NodeUnprepareResources time per claim")
                .publishPercentileHistogram().register(registry);
        prepareErrors = Counter.builder("tangram_dra_prepare_errors").description("claims whose prepare failed").register(registry);
        unprepareErrors = Counter.builder("tangram_dra_unprepare_errors").description("claims whose unprepare failed").register(registry);
        Gauge.builder("tangram_dra_prepared_claims", prepared, AtomicInteger::get).description("claims prepared on this node")
                .register(registry);
        Gauge.builder("tangram_dra_devices", healthy, AtomicInteger::get).tag("health", "healthy")
                .description("published devices by health").register(registry);
        Gauge.builder("tangram_dra_devices", unhealthy, AtomicInteger::get).tag("health", "unhealthy")
                .description("published devices by health").register(registry);
    }

    @Override
    public void prepared(Duration took, boolean ok) {
        prepare.record(took);
        if (!ok) {
            prepareErrors.increment();
        }
    }

    @Override
    public void unprepared(Duration took, boolean ok) {
        unprepare.record(took);
        if (!ok) {
            unprepareErrors.increment();
        }
    }

    @Override
    public void state(int preparedClaims, int healthyDevices, int unhealthyDevices) {
        if (preparedClaims >= 0) {
            prepared.set(preparedClaims);
        }
        if (healthyDevices >= 0) {
            healthy.set(healthyDevices);
        }
        if (unhealthyDevices >= 0) {
            unhealthy.set(unhealthyDevices);
        }
    }

    public String scrape() {
        return registry.scrape();
    }
}
