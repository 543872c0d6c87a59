package dev.tangram.extender.placement;

import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.policy.Policies;
import dev.tangram.core.placement.policy.PolicyOptions;
import dev.tangram.core.placement.topology.TopologyPolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * The placement policies the extender can be configured with: gpu-core's fragmentation policies ({@link Policies}) and
 * the {@code topology} policy. Each comes wrapped in a {@link SerializedPolicy}: learning policies are not thread-safe.
 */
public final class PolicyCatalog {
    /** The policy used when the configuration names none. */
    public static final String DEFAULT = Policies.DEFAULT;

    private PolicyCatalog() {
    }

    public static List<String> names() {
        List<String> all = new ArrayList<>(Policies.NAMES);
        all.add(TopologyPolicy.NAME);
        return List.copyOf(all);
    }

    public static SerializedPolicy byName(String name, long seed) {
        if (name.equals(TopologyPolicy.NAME)) {
            return new SerializedPolicy(new TopologyPolicy());
        }
        if (!Policies.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown placement policy '" + name + "'; known: " + String.join(", ", names()));
        }
        return new SerializedPolicy(Policies.byName(name, PolicyOptions.defaults(seed)));
    }
}
