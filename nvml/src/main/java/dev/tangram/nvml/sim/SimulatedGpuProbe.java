package dev.tangram.nvml.sim;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GpuProbe} for machines without GPUs: the node comes from a description ({@link NodeSpecReader}); tests and demos
 * inject events (an Xid, a GPU lost, a recovery) and carve MIG devices, and the probe keeps that state. Thread-safe.
 *
 * <p>An Xid is only an event: whether it makes the GPU unhealthy is the consumer's policy. A lost GPU stays in the inventory,
 * marked unhealthy, until {@link #injectRecovery} brings it back.
 */
public final class SimulatedGpuProbe implements GpuProbe {
    private final NodeSpec spec;
    private final Clock clock;
    private final LinkedBlockingQueue<GpuEvent> events = new LinkedBlockingQueue<>();
    private final Set<String> lost = new HashSet<>();
    private final Map<String, List<MigDevice>> mig = new HashMap<>();
    private final Map<String, Boolean> migEnabled = new HashMap<>();
    private NodeInventory base;
    private volatile boolean closed;
    private long creations;

    private SimulatedGpuProbe(NodeSpec spec, Clock clock) {
        this.spec = spec;
        this.clock = clock;
        this.base = spec.inventory();
        for (Gpu g : base.gpus()) {
            if (!g.health().healthy()) {
                lost.add(g.uuid());
            }
            mig.put(g.uuid(), new ArrayList<>(g.migDevices()));
            migEnabled.put(g.uuid(), g.migEnabled());
        }
    }

    public static SimulatedGpuProbe of(NodeSpec spec) {
        return new SimulatedGpuProbe(spec, Clock.systemUTC());
    }

    public static SimulatedGpuProbe of(NodeSpec spec, Clock clock) {
        return new SimulatedGpuProbe(spec, clock);
    }

    /** Loads a description file; a bad one is a {@link NodeSpecException} naming file, line and field. */
    public static SimulatedGpuProbe open(Path description) {
        return of(NodeSpecReader.read(description));
    }

    public NodeSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return "simulated:" + spec.source();
    }

    @Override
    public synchronized NodeInventory inventory() {
        ensureOpen();
        List<Gpu> gpus = new ArrayList<>();
        for (Gpu g : base.gpus()) {
            Gpu current = g.withMig(migEnabled.get(g.uuid()), mig.get(g.uuid()));
            gpus.add(current.withHealth(lost.contains(g.uuid()) ? NodeSpec.LOST : Health.HEALTHY));
        }
        return base.withGpus(gpus);
    }

    @Override
    public Optional<GpuEvent> awaitEvent(Duration timeout) {
        ensureOpen();
        try {
            return Optional.ofNullable(events.poll(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public synchronized GpuMetrics metrics(String gpuUuid) {
        ensureOpen();
        Gpu gpu = gpu(gpuUuid);
        if (lost.contains(gpuUuid)) {
            throw new ProbeException(ProbeException.Kind.GPU_LOST, "GPU " + gpuUuid + " is lost");
        }
        return spec.gpus().get(gpu.index()).metrics();
    }

    @Override
    public synchronized MigDevice createMigDevice(String gpuUuid, String profileName, int placementStart) {
        ensureOpen();
        Gpu gpu = gpu(gpuUuid);
        if (lost.contains(gpuUuid)) {
            throw new ProbeException(ProbeException.Kind.GPU_LOST, "GPU " + gpuUuid + " is lost");
        }
        MigProfileCatalog catalog = gpu.migCatalog().orElseThrow(() -> new ProbeException(ProbeException.Kind.NOT_SUPPORTED,
                "GPU " + gpuUuid + " (" + gpu.product() + ") cannot do MIG"));
        if (!migEnabled.get(gpuUuid)) {
            throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "GPU " + gpuUuid + " does not have MIG mode on");
        }
        MigProfile profile = catalog.profile(profileName).orElseThrow(() -> new ProbeException(ProbeException.Kind.INVALID_ARGUMENT,
                "unknown MIG profile '" + profileName + "' for " + gpu.product()));
        if (!profile.isLegalStart(placementStart)) {
            throw new ProbeException(ProbeException.Kind.INVALID_ARGUMENT, profileName + " cannot start at slot " + placementStart
                    + " (legal starts: " + profile.placementStarts() + ")");
        }
        List<MigDevice> devices = mig.get(gpuUuid);
        for (MigDevice d : devices) {
            if (d.overlaps(placementStart, profile.placementSize())) {
                throw new ProbeException(ProbeException.Kind.INSUFFICIENT_RESOURCES, profileName + " at slot " + placementStart
                        + " overlaps " + d.profile() + " at " + d.placementStart() + " on GPU " + gpuUuid);
            }
        }
        int gi = 1;
        while (hasInstance(devices, gi)) {
            gi++;
        }
        MigDevice created = new MigDevice(SimulatedUuids.createdMig(spec.nodeName(), gpu.index(), gi, 0, ++creations), gpuUuid, gi, 0, profileName,
                placementStart, profile.placementSize(), profile.memoryMib());
        devices.add(created);
        devices.sort((a, b) -> Integer.compare(a.gpuInstanceId(), b.gpuInstanceId()));
        return created;
    }

    private static boolean hasInstance(List<MigDevice> devices, int gi) {
        return devices.stream().anyMatch(d -> d.gpuInstanceId() == gi);
    }

    @Override
    public synchronized void destroyMigDevice(String migUuid) {
        ensureOpen();
        for (Map.Entry<String, List<MigDevice>> e : mig.entrySet()) {
            if (e.getValue().removeIf(d -> d.uuid().equals(migUuid))) {
                return;
            }
        }
        throw new ProbeException(ProbeException.Kind.NOT_FOUND, "no MIG device " + migUuid + " on node " + spec.nodeName());
    }

    /** Reports an Xid on a GPU through {@link #awaitEvent}; the GPU's health does not change. */
    public void injectXid(String gpuUuid, int xid) {
        synchronized (this) {
            gpu(gpuUuid);
        }
        events.add(GpuEvent.xid(gpuUuid, xid, clock.instant()));
    }

    /** Marks a GPU lost (unhealthy in the inventory, metrics fail) and reports it. */
    public void injectGpuLost(String gpuUuid) {
        synchronized (this) {
            gpu(gpuUuid);
            lost.add(gpuUuid);
        }
        events.add(GpuEvent.lost(gpuUuid, clock.instant()));
    }

    /** Brings a lost GPU back and reports the recovery. */
    public void injectRecovery(String gpuUuid) {
        synchronized (this) {
            gpu(gpuUuid);
            lost.remove(gpuUuid);
        }
        events.add(GpuEvent.recovered(gpuUuid, clock.instant()));
    }

    private Gpu gpu(String uuid) {
        return base.gpu(uuid).orElseThrow(() -> new ProbeException(ProbeException.Kind.NOT_FOUND,
                "no GPU " + uuid + " on node " + spec.nodeName()));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("probe " + name() + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
