package dev.tangram.deviceplugin.metrics;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.deviceplugin.NodeState;
import dev.tangram.deviceplugin.resources.PluginResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The plugin's metrics in Prometheus format. GPU gauges use the DCGM exporter's names and labels ({@code gpu}, {@code UUID},
 * {@code modelName}, {@code Hostname}) so existing dashboards work; what DCGM has no metric for is {@code tangram_*}. GPU
 * gauges read the probe when scraped (one reading per GPU per scrape, cached for the scrape), nothing is polled in between.
 */
public final class PluginMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GpuProbe probe;
    private final NodeState state;
    private final Supplier<Set<String>> registered;
    private final Function<String, Long> allocatedDevices;
    private final Map<String, Boolean> gpusRegistered = new ConcurrentHashMap<>();
    private final Map<String, Boolean> resourcesRegistered = new ConcurrentHashMap<>();
    private final Map<String, GpuMetrics> scrapeCache = new ConcurrentHashMap<>();

    /**
     * @param registered       the resources registered with the kubelet now
     * @param allocatedDevices devices of a resource the kubelet has handed out (from its checkpoint), or -1 when unknown
     */
    public PluginMetrics(GpuProbe probe, NodeState state, Supplier<Set<String>> registered, Function<String, Long> allocatedDevices) {
        this.probe = probe;
        this.state = state;
        this.registered = registered;
        this.allocatedDevices = allocatedDevices;
        refreshMeters(state.snapshot());
        state.addListener(this::refreshMeters);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text; GPU readings are taken once per scrape. */
    public synchronized String scrape() {
        scrapeCache.clear();
        return registry.scrape();
    }

    public void xid(Gpu gpu, int xid, boolean ignored) {
        Counter.builder("tangram_gpu_xid_events").description("Xid events reported by the driver")
                .tags(gpuTags(gpu)).tag("xid", Integer.toString(xid)).tag("ignored", Boolean.toString(ignored))
                .register(registry).increment();
    }

    public void allocated(String resource, int devices) {
        Counter.builder("tangram_device_plugin_allocations").description("Allocate answers, per container")
                .tag("resource", resource).register(registry).increment();
        Counter.builder("tangram_device_plugin_allocated_devices_sum").description("Devices handed out by Allocate")
                .tag("resource", resource).register(registry).increment(devices);
    }

    private void refreshMeters(NodeState.Snapshot snapshot) {
        for (Gpu g : snapshot.inventory().gpus()) {
            if (gpusRegistered.putIfAbsent(g.uuid(), true) == null) {
                String uuid = g.uuid();
                Tags tags = gpuTags(g);
                gauge("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %)", tags, uuid, m -> m.gpuUtilizationPercent());
                gauge("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %)", tags, uuid, m -> m.memoryUtilizationPercent());
                gauge("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB)", tags, uuid, m -> m.memoryUsedMib());
                gauge("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB)", tags, uuid, m -> m.memoryTotalMib() - m.memoryUsedMib());
                gauge("DCGM_FI_DEV_FB_TOTAL", "Framebuffer memory total (in MiB)", tags, uuid, m -> m.memoryTotalMib());
                gauge("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C)", tags, uuid, m -> m.temperatureCelsius());
                gauge("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W)", tags, uuid, m -> m.powerWatts());
                gauge("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "Single-bit volatile ECC errors", tags, uuid,
                        m -> m.eccCorrected() < 0 ? Double.NaN : m.eccCorrected());
                gauge("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "Double-bit volatile ECC errors", tags, uuid,
                        m -> m.eccUncorrected() < 0 ? Double.NaN : m.eccUncorrected());
                Gauge.builder("tangram_gpu_healthy", state, s -> s.snapshot().inventory().gpu(uuid).map(x -> x.health().healthy() ? 1.0 : 0.0)
                                .orElse(Double.NaN))
                        .description("1 when the GPU is healthy, 0 when not").tags(tags).register(registry);
            }
        }
        for (PluginResource r : snapshot.resources().values()) {
            if (resourcesRegistered.putIfAbsent(r.name(), true) == null) {
                String name = r.name();
                Gauge.builder("tangram_device_plugin_devices", state, s -> s.snapshot().resource(name).map(x -> (double) x.devices().size()).orElse(0.0))
                        .description("Devices advertised").tag("resource", name).register(registry);
                Gauge.builder("tangram_device_plugin_healthy_devices", state, s -> s.snapshot().resource(name).map(x -> (double) x.healthyCount()).orElse(0.0))
                        .description("Healthy devices advertised").tag("resource", name).register(registry);
                Gauge.builder("tangram_device_plugin_allocated_devices", allocatedDevices, f -> {
                            long v = f.apply(name);
                            return v < 0 ? Double.NaN : v;
                        })
                        .description("Devices of the resource allocated to containers, from the kubelet's checkpoint").tag("resource", name)
                        .register(registry);
                Gauge.builder("tangram_device_plugin_registered", registered, s -> s.get().contains(name) ? 1.0 : 0.0)
                        .description("1 when the resource is registered with the kubelet").tag("resource", name).register(registry);
            }
        }
    }

    private void gauge(String name, String help, Tags tags, String uuid, ToDoubleFunction<GpuMetrics> f) {
        Gauge.builder(name, this, self -> {
            GpuMetrics m = self.reading(uuid);
            return m == null ? Double.NaN : f.applyAsDouble(m);
        }).description(help).tags(tags).register(registry);
    }

    private GpuMetrics reading(String uuid) {
        GpuMetrics cached = scrapeCache.get(uuid);
        if (cached != null) {
            return cached;
        }
        try {
            GpuMetrics m = probe.metrics(uuid);
            scrapeCache.put(uuid, m);
            return m;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Tags gpuTags(Gpu g) {
        return Tags.of("gpu", Integer.toString(g.index()), "UUID", g.uuid(), "modelName", g.product(),
                "Hostname", state.snapshot().inventory().nodeName());
    }
}
