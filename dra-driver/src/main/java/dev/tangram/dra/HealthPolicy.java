package dev.tangram.dra;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * GPU health from probe events: a critical Xid or a lost GPU marks the GPU unhealthy until the probe reports it
 * recovered. Xids caused by applications (13, 31, 43, 45, 68, 109) do not.
 */
public final class HealthPolicy {
    public static final Set<Integer> APPLICATION_XIDS = Set.of(13, 31, 43, 45, 68, 109);

    private final Map<String, Health> overrides = new HashMap<>();

    /** Answers whether the event changed anything. */
    public synchronized boolean apply(GpuEvent event) {
        Health before = overrides.get(event.gpuUuid());
        switch (event.kind()) {
            case XID -> {
                if (APPLICATION_XIDS.contains(event.xid())) {
                    return false;
                }
                overrides.put(event.gpuUuid(), Health.unhealthy("Xid " + event.xid()));
            }
            case GPU_LOST -> overrides.put(event.gpuUuid(), Health.unhealthy("GPU lost"));
            case RECOVERED -> overrides.remove(event.gpuUuid());
        }
        return !java.util.Objects.equals(before, overrides.get(event.gpuUuid()));
    }

    /** The inventory with event-driven health laid over the probe's own. */
    public synchronized NodeInventory applyTo(NodeInventory inventory) {
        if (overrides.isEmpty()) {
            return inventory;
        }
        return inventory.withGpus(inventory.gpus().stream().map(this::healthOf).toList());
    }

    private Gpu healthOf(Gpu gpu) {
        Health h = overrides.get(gpu.uuid());
        return h == null || !gpu.health().healthy() ? gpu : gpu.withHealth(h);
    }
}
