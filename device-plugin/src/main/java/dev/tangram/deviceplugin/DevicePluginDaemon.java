package dev.tangram.deviceplugin;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.deviceplugin.allocation.AllocationResponder;
import dev.tangram.deviceplugin.allocation.DecisionMatcher;
import dev.tangram.deviceplugin.allocation.MigCapabilities;
import dev.tangram.deviceplugin.allocation.PlacementDecisions;
import dev.tangram.deviceplugin.cdi.CdiSpecWriter;
import dev.tangram.deviceplugin.checkpoint.KubeletCheckpointReader;
import dev.tangram.deviceplugin.config.DeviceListStrategy;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.grpc.AllocationObserver;
import dev.tangram.deviceplugin.grpc.KubeletSocketWatcher;
import dev.tangram.deviceplugin.grpc.ResourceSupervisor;
import dev.tangram.deviceplugin.health.HealthTracker;
import dev.tangram.deviceplugin.http.HttpEndpoints;
import dev.tangram.deviceplugin.kube.Fabric8NodePublisher;
import dev.tangram.deviceplugin.kube.Fabric8PlacementDecisions;
import dev.tangram.deviceplugin.labels.NodeLabels;
import dev.tangram.deviceplugin.metrics.PluginMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Wires the plugin: probe → health → node state → one server per resource, registered with the kubelet; the kubelet watch;
 * node publishing and the extender's decisions when a Kubernetes client is given; metrics and probes over HTTP.
 */
public final class DevicePluginDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePluginDaemon.class);
    /** How long one wait for a GPU event lasts; also the cadence of recovery checks. */
    static final Duration EVENT_WAIT = Duration.ofMillis(500);
    /** How often the probe's inventory is re-read even without events (MIG changes, lost GPUs). */
    static final Duration INVENTORY_REFRESH = Duration.ofSeconds(30);
    /** Backstop check of kubelet.sock and the plugin sockets, in case a file event was missed. */
    static final Duration SOCKET_CHECK = Duration.ofSeconds(5);

    private final PluginConfig config;
    private final GpuProbe probe;
    private final Clock clock;
    private final HealthTracker health;
    private final NodeState state;
    private final DecisionMatcher matcher;
    private final ResourceSupervisor supervisor;
    private final PluginMetrics metrics;
    private final Optional<Fabric8NodePublisher> publisher;
    private final Optional<Fabric8PlacementDecisions> podDecisions;
    private final Optional<CdiSpecWriter> cdi;
    private final KubeletCheckpointReader checkpoint;
    private final Thread healthLoop;
    private KubeletSocketWatcher watcher;
    private HttpEndpoints http;
    private int httpPort = -1;
    private volatile boolean running;
    private volatile long lastProbeOk;

    public DevicePluginDaemon(PluginConfig config, GpuProbe probe, Clock clock, Optional<KubernetesClient> kube) {
        this(config, probe, clock, kube, true);
    }

    /** @param serverSidePodFilter see {@link Fabric8PlacementDecisions} (false only for a mock API server) */
    public DevicePluginDaemon(PluginConfig config, GpuProbe probe, Clock clock, Optional<KubernetesClient> kube, boolean serverSidePodFilter) {
        this.config = config;
        this.probe = probe;
        this.clock = clock;
        this.health = new HealthTracker(config.health(), clock);
        NodeInventory first = named(probe.inventory());
        this.lastProbeOk = System.nanoTime();
        this.state = new NodeState(first, config.migStrategy(), config.sharing());
        this.podDecisions = kube.map(c -> new Fabric8PlacementDecisions(c, config.nodeName(), serverSidePodFilter));
        PlacementDecisions decisions = podDecisions.<PlacementDecisions>map(d -> d).orElse(PlacementDecisions.NONE);
        this.matcher = new DecisionMatcher(decisions, clock, config.decisionTtl());
        MigCapabilities caps = migCapabilities(config);
        AllocationResponder responder = new AllocationResponder(config.deviceListStrategy(), config.deviceIdStrategy(), config.sharing(),
                config.devRoot(), caps);
        this.checkpoint = new KubeletCheckpointReader(config.kubeletDir());
        this.cdi = config.deviceListStrategy() == DeviceListStrategy.CDI
                ? Optional.of(new CdiSpecWriter(config.cdiDir(), config.devRoot(), caps)) : Optional.empty();
        AllocationObserver observer = this::afterAllocate;
        this.supervisor = new ResourceSupervisor(config.kubeletDir(), state, matcher, responder, config.sharing().policy(), observer);
        this.metrics = new PluginMetrics(probe, state, supervisor::registered, checkpoint::allocated);
        this.publisher = kube.map(c -> new Fabric8NodePublisher(c, config.nodeName()));
        this.healthLoop = Thread.ofPlatform().daemon().name("tangram-health").unstarted(this::watchHealth);
    }

    /** The inventory under this node's Kubernetes name (a node description carries its own name; NVML knows none). */
    private NodeInventory named(NodeInventory inv) {
        return inv.nodeName().equals(config.nodeName()) ? inv
                : new NodeInventory(config.nodeName(), inv.driverVersion(), inv.cudaDriverVersion(), inv.gpus(), inv.links());
    }

    private static MigCapabilities migCapabilities(PluginConfig config) {
        try {
            return MigCapabilities.parse(Files.readString(config.migMinorsFile()));
        } catch (IOException e) {
            return MigCapabilities.formula();
        }
    }

    public void start() {
        running = true;
        NodeState.Snapshot s = state.snapshot();
        LOG.info("node {}: {} GPUs from {}; resources {}", config.nodeName(), s.inventory().gpus().size(), probe.name(), describe(s));
        if (s.resources().isEmpty()) {
            LOG.warn("no devices to offer on node {}: nothing is registered with the kubelet", config.nodeName());
        }
        cdi.ifPresent(w -> w.write(s.inventory()));
        podDecisions.ifPresentOrElse(Fabric8PlacementDecisions::start,
                () -> LOG.info("no Kubernetes API configured: node labels, inventory annotation and extender decisions are off"));
        publish();
        supervisor.start();
        watcher = new KubeletSocketWatcher(config.kubeletDir(), SOCKET_CHECK, () -> supervisor.reregisterAll("kubelet restarted"),
                supervisor::repairIfBroken);
        watcher.start();
        try {
            // registration first: the kubelet waits on it; the HTTP server can come a moment later
            supervisor.awaitFirstPass(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (config.httpPort() >= 0) {
            http = new HttpEndpoints(metrics::scrape, this::alive, supervisor::allRegistered, this::notReadyReason);
            httpPort = http.start(config.httpPort());
            LOG.info("HTTP /metrics /healthz /readyz on port {}", httpPort);
        }
        healthLoop.start();
    }

    private static String describe(NodeState.Snapshot s) {
        StringBuilder sb = new StringBuilder();
        s.resources().forEach((n, r) -> sb.append(sb.isEmpty() ? "" : ", ").append(n).append('=').append(r.devices().size()));
        return sb.isEmpty() ? "(none)" : sb.toString();
    }

    public NodeState state() {
        return state;
    }

    public ResourceSupervisor supervisor() {
        return supervisor;
    }

    public int httpPort() {
        return httpPort;
    }

    public boolean alive() {
        return running && healthLoop.isAlive() && System.nanoTime() - lastProbeOk < Duration.ofSeconds(60).toNanos();
    }

    private String notReadyReason() {
        Set<String> missing = new TreeSet<>(supervisor.wanted());
        missing.removeAll(supervisor.registered());
        return supervisor.wanted().isEmpty() ? "no resources to register" : "not registered with the kubelet: " + missing;
    }

    private void afterAllocate(String resource, List<String> ids) {
        metrics.allocated(resource, ids.size());
        podDecisions.ifPresent(pd -> matcher.identify(ids).ifPresent(m -> pd.annotateAllocated(m.podUid(), m.container(), ids)));
    }

    private void watchHealth() {
        long lastRefresh = System.nanoTime();
        while (running) {
            try {
                Optional<GpuEvent> event = probe.awaitEvent(EVENT_WAIT);
                lastProbeOk = System.nanoTime();
                boolean changed = false;
                if (event.isPresent()) {
                    GpuEvent e = event.get();
                    HealthTracker.Outcome outcome = health.onEvent(e);
                    if (e.kind() == GpuEvent.Kind.XID) {
                        state.snapshot().inventory().gpu(e.gpuUuid()).ifPresent(g -> metrics.xid(g, e.xid(), outcome.ignored()));
                    }
                    LOG.info("GPU {}: {}{}", e.gpuUuid(), e.detail(), outcome.ignored() ? " (ignored by policy)" : "");
                    changed = true;
                }
                List<String> healed = health.recover(this::reportsWell);
                if (!healed.isEmpty()) {
                    LOG.info("GPUs healthy again after the quiet period: {}", healed);
                    changed = true;
                }
                if (changed || System.nanoTime() - lastRefresh > INVENTORY_REFRESH.toNanos()) {
                    refresh();
                    lastRefresh = System.nanoTime();
                }
            } catch (RuntimeException e) {
                LOG.warn("health watch: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private boolean reportsWell(String uuid) {
        return probe.inventory().gpu(uuid).map(g -> g.health().healthy()).orElse(false);
    }

    /** Re-reads the probe, applies health, and publishes what changed. */
    public void refresh() {
        NodeInventory probed = named(probe.inventory());
        lastProbeOk = System.nanoTime();
        if (state.update(health.apply(probed))) {
            NodeInventory inv = state.snapshot().inventory();
            long unhealthy = inv.gpus().stream().filter(g -> !g.health().healthy()).count();
            LOG.info("inventory changed: {} of {} GPUs unhealthy", unhealthy, inv.gpus().size());
            cdi.ifPresent(w -> w.write(inv));
            publish();
        }
        podDecisions.ifPresent(pd -> matcher.retain(pd.livePods()));
    }

    private void publish() {
        publisher.ifPresent(p -> {
            NodeState.Snapshot s = state.snapshot();
            p.publish(s.inventory(), NodeLabels.of(s.inventory(), config.migStrategy(), config.sharing()));
        });
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** GPUs currently unhealthy (for logs and tests). */
    public List<String> unhealthyGpus() {
        return state.snapshot().inventory().gpus().stream().filter(g -> !g.health().healthy()).map(Gpu::uuid).toList();
    }

    @Override
    public void close() {
        running = false;
        healthLoop.interrupt();
        if (watcher != null) {
            watcher.close();
        }
        if (http != null) {
            http.close();
        }
        podDecisions.ifPresent(Fabric8PlacementDecisions::close);
        supervisor.close();
        try {
            healthLoop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
