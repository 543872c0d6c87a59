package dev.tangram.extender.placement;

import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.topology.TopologyPolicy;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The placement policies the extender can be configured with, by name. */
public final class PolicyCatalog {
    private static final Map<String, Supplier<PlacementPolicy>> POLICIES = Map.of(
            TopologyPolicy.NAME, TopologyPolicy::new,
            BestFitPolicy.NAME, BestFitPolicy::new);

    /** The policy used when the configuration names none. */
    public static final String DEFAULT = BestFitPolicy.NAME;

    private PolicyCatalog() {
    }

    public static List<String> names() {
        return POLICIES.keySet().stream().sorted().toList();
    }

    public static PlacementPolicy byName(String name) {
        Supplier<PlacementPolicy> s = POLICIES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown placement policy '" + name + "'; known: " + names());
        }
        return s.get();
    }
}
