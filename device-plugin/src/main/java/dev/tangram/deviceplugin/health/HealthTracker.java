package dev.tangram.deviceplugin.health;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.deviceplugin.config.HealthConfig;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The health policy. An Xid outside the ignored set makes its GPU unhealthy at once; so does a lost GPU. An unhealthy GPU
 * becomes healthy again once it has had no bad event for the quiet period, is not lost, and the probe reports it well. The
 * clock is injected so that the quiet period can be tested without waiting. Replicas and MIG devices take their GPU's
 * health when resources are planned from {@link #apply(NodeInventory)}.
 */
public final class HealthTracker {
    private record State(Health health, Instant lastBad, boolean lost) {
    }

    /** What an event did: whether it changed a GPU's health and whether its Xid was ignored by policy. */
    public record Outcome(boolean changed, boolean ignored) {
    }

    private final HealthConfig config;
    private final Clock clock;
    private final Map<String, State> unhealthy = new HashMap<>();

    public HealthTracker(HealthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public synchronized Outcome onEvent(GpuEvent event) {
        Instant now = clock.instant();
        String uuid = event.gpuUuid();
        State before = unhealthy.get(uuid);
        switch (event.kind()) {
            case XID -> {
                if (config.ignoredXids().contains(event.xid())) {
                    return new Outcome(false, true);
                }
                unhealthy.put(uuid, new State(Health.unhealthy("Xid " + event.xid()), now, before != null && before.lost()));
                return new Outcome(before == null, false);
            }
            case GPU_LOST -> {
                unhealthy.put(uuid, new State(Health.unhealthy("GPU lost"), now, true));
                return new Outcome(before == null, false);
            }
            case RECOVERED -> {
                if (before != null) {
                    unhealthy.put(uuid, new State(before.health(), before.lastBad(), false));
                }
                return new Outcome(false, false);
            }
        }
        return new Outcome(false, false);
    }

    /**
     * Heals GPUs whose quiet period is over and that the probe reports well.
     *
     * @return the GPUs that became healthy
     */
    public synchronized List<String> recover(Predicate<String> reportsWell) {
        Instant now = clock.instant();
        List<String> healed = new ArrayList<>();
        unhealthy.entrySet().removeIf(e -> {
            State s = e.getValue();
            boolean quiet = !s.lastBad().plus(config.quietPeriod()).isAfter(now);
            if (quiet && !s.lost() && reportsWell.test(e.getKey())) {
                healed.add(e.getKey());
                return true;
            }
            return false;
        });
        return healed;
    }

    /** The inventory with tracked health laid over what the probe said. */
    public synchronized NodeInventory apply(NodeInventory probed) {
        if (unhealthy.isEmpty()) {
            return probed;
        }
        List<Gpu> gpus = new ArrayList<>();
        for (Gpu g : probed.gpus()) {
            State s = unhealthy.get(g.uuid());
            gpus.add(s == null ? g : g.withHealth(s.health()));
        }
        return probed.withGpus(gpus);
    }

    public synchronized boolean isHealthy(String uuid) {
        return !unhealthy.containsKey(uuid);
    }
}
