package dev.tangram.core.probe;

import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;

import java.time.Duration;
import java.util.Optional;

/**
 * The port through which Tangram sees GPUs: NVML on a real node, a node description on a laptop. Every method may throw
 * {@link ProbeException}; none may crash the JVM.
 */
public interface GpuProbe extends AutoCloseable {
    /** A short name for logs: {@code nvml} or {@code simulated:<file>}. */
    String name();

    /** The node as it is now. A lost GPU stays in the list, marked unhealthy. */
    NodeInventory inventory();

    /** Waits up to {@code timeout} for the next GPU event; empty when none came. */
    Optional<GpuEvent> awaitEvent(Duration timeout);

    /** Current gauges of one GPU. */
    GpuMetrics metrics(String gpuUuid);

    /** Creates a MIG GPU instance and its full compute instance at a placement; answers the new device. */
    MigDevice createMigDevice(String gpuUuid, String profile, int placementStart);

    /** Destroys a MIG device (compute instance, then GPU instance). */
    void destroyMigDevice(String migUuid);

    @Override
    void close();
}
