package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.PlacementPolicy;

import java.util.List;

/** The placement policies by name: {@code random, bestfit, dotprod, packing, clustering, fgd, tangram}. */
public final class Policies {
    /** Every name {@link #byName} knows, in the order reports list them. */
    public static final List<String> NAMES = List.of("random", "dotprod", "clustering", "packing", "bestfit", "fgd", "tangram");
    /** The policy the extender uses when none is configured. */
    public static final String DEFAULT = "tangram";

    private Policies() {
    }

    /** A new instance (with its own learned state) of the named policy. */
    public static PlacementPolicy byName(String name, PolicyOptions options) {
        return switch (name) {
            case "random" -> new RandomPolicy(options.seed());
            case "bestfit" -> new BestFitPolicy();
            case "dotprod" -> new DotProductPolicy();
            case "packing" -> new GpuPackingPolicy();
            case "clustering" -> new GpuClusteringPolicy();
            // The paper's typical tasks; shapes are told apart by memory too (the trace's full request): see docs/placement.md.
            case "fgd" -> new FgdPolicy(new FragmentationGradient(options.newWorkload(true), false, options.refreshEvery()));
            case "tangram" -> new TangramPolicy(new FragmentationGradient(options.withCoverage(1.0).weightedByGpuDemand(1).newWorkload(false), false,
                    options.refreshEvery()));
            default -> throw new IllegalArgumentException("unknown placement policy '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }
}
