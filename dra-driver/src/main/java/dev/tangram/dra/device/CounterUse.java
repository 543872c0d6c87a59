package dev.tangram.dra.device;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What one device consumes from one counter set when it is allocated. */
public record CounterUse(String counterSet, Map<String, String> counters) {
    public CounterUse {
        Objects.requireNonNull(counterSet, "counterSet");
        counters = Map.copyOf(counters);
    }

    public Map<String, String> sortedCounters() {
        return new TreeMap<>(counters);
    }
}
