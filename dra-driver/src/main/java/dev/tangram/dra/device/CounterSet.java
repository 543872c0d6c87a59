package dev.tangram.dra.device;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A named set of shared counters (KEP-4815) that partition devices consume; counter values are quantities. */
public record CounterSet(String name, Map<String, String> counters) {
    public CounterSet {
        Objects.requireNonNull(name, "name");
        counters = Map.copyOf(counters);
    }

    /** Counters in name order, for stable output. */
    public Map<String, String> sortedCounters() {
        return new TreeMap<>(counters);
    }
}
