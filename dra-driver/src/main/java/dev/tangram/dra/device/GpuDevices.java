package dev.tangram.dra.device;

import dev.tangram.core.model.Gpu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The devices published for one GPU and, when it is partitionable, the counter set they share. */
public record GpuDevices(Gpu gpu, Optional<CounterSet> counterSet, List<DraDevice> devices) {
    public GpuDevices {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(counterSet, "counterSet");
        devices = List.copyOf(devices);
    }

    public int counterCount() {
        return counterSet.map(c -> c.counters().size()).orElse(0);
    }
}
