package dev.tangram.deviceplugin;

import dev.tangram.core.model.Health;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A probe over a fixed inventory (from {@code GpuFixtures}), with events pushed by the test. */
public final class FakeGpuProbe implements GpuProbe {
    private volatile NodeInventory inventory;
    private final LinkedBlockingQueue<GpuEvent> events = new LinkedBlockingQueue<>();

    public FakeGpuProbe(NodeInventory inventory) {
        this.inventory = inventory;
    }

    public void emit(GpuEvent e) {
        if (e.kind() == GpuEvent.Kind.GPU_LOST) {
            inventory = inventory.withGpu(e.gpuUuid(), g -> g.withHealth(Health.unhealthy("GPU lost")));
        } else if (e.kind() == GpuEvent.Kind.RECOVERED) {
            inventory = inventory.withGpu(e.gpuUuid(), g -> g.withHealth(Health.HEALTHY));
        }
        events.add(e);
    }

    public void xid(String uuid, int xid) {
        emit(GpuEvent.xid(uuid, xid, Instant.now()));
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public NodeInventory inventory() {
        return inventory;
    }

    @Override
    public Optional<GpuEvent> awaitEvent(Duration timeout) {
        try {
            return Optional.ofNullable(events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public GpuMetrics metrics(String gpuUuid) {
        var g = inventory.gpu(gpuUuid).orElseThrow(() -> new ProbeException(ProbeException.Kind.NOT_FOUND, gpuUuid));
        return new GpuMetrics(10, 5, 1024, g.memoryMib(), 40, 70.5, 0, 0);
    }

    @Override
    public MigDevice createMigDevice(String gpuUuid, String profile, int placementStart) {
        throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "the fake probe does not create MIG devices");
    }

    @Override
    public void destroyMigDevice(String migUuid) {
        throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "the fake probe does not destroy MIG devices");
    }

    @Override
    public void close() {
    }
}
