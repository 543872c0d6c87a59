package dev.tangram.dra.slice;

import dev.tangram.dra.device.CounterSet;
import dev.tangram.dra.device.DraDevice;

import java.util.List;

/** The content of one ResourceSlice of the pool. */
public record PoolSlice(List<CounterSet> counterSets, List<DraDevice> devices) {
    public PoolSlice {
        counterSets = List.copyOf(counterSets);
        devices = List.copyOf(devices);
    }

    public int counterCount() {
        return counterSets.stream().mapToInt(c -> c.counters().size()).sum();
    }
}
