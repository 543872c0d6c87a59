package dev.tangram.dra.device;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Everything the driver publishes for its node, per GPU, and what each device name stands for. */
public record DevicePlan(String pool, List<GpuDevices> groups, Map<String, DeviceTarget> targets) {
    public DevicePlan {
        Objects.requireNonNull(pool, "pool");
        groups = List.copyOf(groups);
        targets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    }

    public Optional<DeviceTarget> target(String deviceName) {
        return Optional.ofNullable(targets.get(deviceName));
    }

    public List<DraDevice> devices() {
        return groups.stream().flatMap(g -> g.devices().stream()).toList();
    }

    public List<CounterSet> counterSets() {
        return groups.stream().flatMap(g -> g.counterSet().stream()).toList();
    }
}
