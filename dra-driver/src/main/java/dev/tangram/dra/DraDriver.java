package dev.tangram.dra;

import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.dra.cdi.CdiDirectory;
import dev.tangram.dra.checkpoint.BootId;
import dev.tangram.dra.checkpoint.CheckpointFile;
import dev.tangram.dra.checkpoint.StateDirLock;
import dev.tangram.dra.claim.ClaimSource;
import dev.tangram.dra.config.DriverConfig;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DevicePlanner;
import dev.tangram.dra.device.DraDevice;
import dev.tangram.dra.device.SysfsPcieRoots;
import dev.tangram.dra.grpc.DraV1Service;
import dev.tangram.dra.grpc.DraV1beta1Service;
import dev.tangram.dra.grpc.RegistrationService;
import dev.tangram.dra.grpc.SelfCheck;
import dev.tangram.dra.grpc.UnixSocketServer;
import dev.tangram.dra.http.OperationsServer;
import dev.tangram.dra.kube.Fabric8ClaimSource;
import dev.tangram.dra.kube.Fabric8EventRecorder;
import dev.tangram.dra.kube.Fabric8ResourceSlicePublisher;
import dev.tangram.dra.metrics.MicrometerDriverMetrics;
import dev.tangram.dra.prepare.ClaimPreparer;
import dev.tangram.dra.prepare.CrashPoint;
import dev.tangram.dra.prepare.MigCapabilities;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.dra.slice.SliceSplitter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running driver: recovers from the checkpoint, serves the DRA services and the registration socket, publishes the
 * node's ResourceSlices and keeps them in step with GPU health.
 */
public final class DraDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DraDriver.class);
    private static final Duration RESYNC = Duration.ofSeconds(30);

    private final DriverConfig config;
    private final GpuProbe probe;
    private final Optional<KubernetesClient> client;
    private final String node;
    private final HealthPolicy health = new HealthPolicy();
    private final DevicePlanner planner;
    private final MicrometerDriverMetrics metrics = new MicrometerDriverMetrics();
    private final ClaimPreparer preparer;
    private final Optional<Fabric8ResourceSlicePublisher> publisher;
    private final SliceShape shape;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final UnixSocketServer draServer;
    private final UnixSocketServer registrationServer;
    private final RegistrationService registration;
    private final Optional<OperationsServer> http;
    private final Thread watcher;
    private volatile DevicePlan current;
    private final StateDirLock stateLock;

    private DraDriver(DriverConfig config, GpuProbe probe, Optional<KubernetesClient> client, Clock clock) {
        this.config = config;
        this.probe = probe;
        this.client = client;
        NodeInventory first = probe.inventory();
        this.node = config.nodeName().orElse(first.nodeName());
        // a simulated node's bus ids name nothing in this machine's sysfs
        this.planner = new DevicePlanner(config.nodeSpec().isPresent() ? DevicePlanner::busRoot : SysfsPcieRoots.system(),
                config.shareWholeGpus());
        EventRecorder events = client.<EventRecorder>map(c -> new Fabric8EventRecorder(c, config.driver(), node, clock))
                .orElse(EventRecorder.NONE);
        this.stateLock = StateDirLock.acquire(config.stateDir());
        List<AutoCloseable> opened = new java.util.ArrayList<>(List.of(stateLock));
        try {
            String bootId = BootId.read(config.bootIdFile());
            CheckpointFile file = new CheckpointFile(config.stateDir(), clock);
            CheckpointFile.Loaded loaded = file.load(bootId);
            if (loaded instanceof CheckpointFile.Corrupt c) {
                String message = "checkpoint " + file.path() + " is unusable (" + c.reason() + "); moved it to " + c.movedTo()
                        + " and started with no prepared claims";
                LOG.error(message);
                events.warning("CheckpointCorrupt", message);
            }
            ClaimSource claims = client.<ClaimSource>map(Fabric8ClaimSource::new)
                    .orElse(ClaimSource.unavailable("no --kubeconfig given and not running in a pod"));
            this.preparer = new ClaimPreparer(config.driver(), claims, this::currentPlan, probe, new CdiDirectory(config.cdiDir()), file,
                    loaded.checkpoint(), CrashPoint.parse(System.getenv(CrashPoint.ENV)), metrics,
                    // a simulated node has no NVIDIA driver to ask
                    config.nodeSpec().isPresent() ? () -> MigCapabilities.NONE : () -> MigCapabilities.read(MigCapabilities.PROC_FILE));
            preparer.recover(bootId, first);
            this.shape = config.sliceShape().orElseGet(this::serverShape);
            this.publisher = client.map(c -> new Fabric8ResourceSlicePublisher(c, config.driver(), node));
            this.draServer = UnixSocketServer.start(config.draSocket(), List.of(new DraV1Service(preparer), new DraV1beta1Service(preparer)));
            opened.add(draServer);
            this.registration = new RegistrationService(config.driver(), config.draSocket().toString());
            this.registrationServer = UnixSocketServer.start(config.registrationSocket(), List.of(registration));
            opened.add(registrationServer);
            publishQuietly();
            SelfCheck selfCheck = new SelfCheck(config.registrationSocket());
            this.http = config.httpPort() < 0 ? Optional.empty()
                    : Optional.of(OperationsServer.start(config.httpPort(), metrics::scrape, selfCheck::run, ready::get));
            this.watcher = Thread.ofPlatform().daemon().name("gpu-health").start(this::watch);
            ready.set(true);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
        LOG.info("DRA driver {} serving on {} (registration {}), node {}, probe {}, API {}, slice shape {}", config.driver(),
                config.draSocket(), config.registrationSocket(), node, probe.name(), client.isPresent() ? "connected" : "none", shape);
    }

    public static DraDriver start(DriverConfig config, GpuProbe probe, Optional<KubernetesClient> client, Clock clock) {
        return new DraDriver(config, probe, client, clock);
    }

    /** The devices of the node as the probe sees them now (reads the probe). */
    public DevicePlan plan() {
        return planner.plan(node, health.applyTo(probe.inventory()), preparer.ownedMigUuids());
    }

    /**
     * The devices last published, which prepare checks claims against: refreshed at start, on every GPU event and at each
     * resync, so that a prepare does not scan the GPUs. MIG devices the driver creates do not change it.
     */
    private DevicePlan currentPlan() {
        DevicePlan plan = current;
        if (plan == null) {
            plan = plan();
            current = plan;
        }
        return plan;
    }

    public ClaimPreparer preparer() {
        return preparer;
    }

    public String node() {
        return node;
    }

    public SliceShape shape() {
        return shape;
    }

    public Optional<Integer> httpPort() {
        return http.map(OperationsServer::port);
    }

    public RegistrationService registration() {
        return registration;
    }

    /** Publishes the slices now; answers whether anything changed. */
    public boolean publish() {
        DevicePlan plan = plan();
        current = plan;
        List<DraDevice> devices = plan.devices();
        long unhealthy = devices.stream().filter(d -> !d.taints().isEmpty()).count();
        metrics.state(preparer.preparedClaims(), (int) (devices.size() - unhealthy), (int) unhealthy);
        return publisher.map(p -> p.publish(SliceSplitter.split(plan, shape))).orElse(false);
    }

    private void publishQuietly() {
        try {
            publish();
        } catch (RuntimeException e) {
            if (running.get()) {
                LOG.error("publishing ResourceSlices failed; retrying in {}s: {}", RESYNC.toSeconds(), e.getMessage());
            }
        }
    }

    private SliceShape serverShape() {
        if (client.isEmpty()) {
            return SliceShape.COUNTERS_IN_OWN_SLICES;
        }
        try {
            VersionInfo v = client.get().getKubernetesVersion();
            int major = Integer.parseInt(v.getMajor().replaceAll("\\D", ""));
            int minor = Integer.parseInt(v.getMinor().replaceAll("\\D", ""));
            if (major < 1) {
                throw new IllegalStateException("the server says version " + v.getMajor() + "." + v.getMinor());
            }
            return SliceShape.forServer(major, minor);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the API server version ({}); publishing the 1.35 slice shape (set --slice-shape to choose)",
                    e.getMessage());
            return SliceShape.COUNTERS_IN_OWN_SLICES;
        }
    }

    private void watch() {
        long lastSync = System.nanoTime();
        while (running.get()) {
            try {
                Optional<GpuEvent> event = probe.awaitEvent(Duration.ofSeconds(1));
                boolean changed = event.map(health::apply).orElse(false);
                event.ifPresent(e -> LOG.info("GPU event: {} on {} ({})", e.kind(), e.gpuUuid(), e.detail()));
                if (changed || System.nanoTime() - lastSync > RESYNC.toNanos()) {
                    lastSync = System.nanoTime();
                    publishQuietly();
                }
            } catch (RuntimeException e) {
                if (running.get()) {
                    LOG.error("GPU health watch failed: {}", e.getMessage());
                    sleepQuietly();
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        ready.set(false);
        watcher.interrupt();
        http.ifPresent(OperationsServer::close);
        registrationServer.close();
        draServer.close();
        stateLock.close();
        try {
            watcher.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
