package dev.tangram.extender.placement;

import dev.tangram.core.placement.FitResult;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.extender.state.NodeEntry;
import dev.tangram.extender.state.PodInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Filter: a pod passes a node only if real devices there meet every container's demand. Each rejection names its reason
 * and says whether preemption could help ({@code FailedNodes}) or not ({@code FailedAndUnresolvableNodes}). Pure.
 */
public final class NodeFilter {
    private NodeFilter() {
    }

    /** Nodes that pass, and the reasons of those that do not. */
    public record Outcome(List<String> passed, Map<String, String> failed, Map<String, String> unresolvable,
                          Map<String, Long> reasonClasses) {
        public Outcome {
            passed = List.copyOf(passed);
            failed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failed));
            unresolvable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unresolvable));
            reasonClasses = Map.copyOf(reasonClasses);
        }

        /** Every node rejected for one reason; {@code reasonClass} is its short label for metrics. */
        public static Outcome allUnresolvable(List<String> names, String reason, String reasonClass) {
            Map<String, String> m = new LinkedHashMap<>();
            names.forEach(n -> m.put(n, reason));
            return new Outcome(List.of(), Map.of(), m, names.isEmpty() ? Map.of() : Map.of(reasonClass, (long) names.size()));
        }
    }

    public static Outcome filter(PodInfo pod, List<String> names, Function<String, Optional<NodeEntry>> entries) {
        return filter(pod, names, entries, new FitCache());
    }

    /** As above, with fit answers shared across requests through {@code cache}. */
    public static Outcome filter(PodInfo pod, List<String> names, Function<String, Optional<NodeEntry>> entries, FitCache cache) {
        if (!pod.problem().isEmpty()) {
            return Outcome.allUnresolvable(names, pod.problem(), "invalid-pod");
        }
        if (!pod.demand().needsGpu()) {
            return new Outcome(names, Map.of(), Map.of(), Map.of());
        }
        Map<String, Long> classes = new java.util.HashMap<>();
        Map<Object, FitResult> seen = new java.util.IdentityHashMap<>();
        List<String> passed = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        Map<String, String> unresolvable = new LinkedHashMap<>();
        for (String name : names) {
            Optional<NodeEntry> entry = entries.apply(name);
            if (entry.isEmpty()) {
                failed.put(name, "unknown node " + name + ": the extender has not seen it (informer not synced, or it was deleted)");
                classes.merge("unknown-node", 1L, Long::sum);
                continue;
            }
            if (entry.get().view().isEmpty()) {
                unresolvable.put(name, entry.get().source().problem());
                classes.merge("no-inventory", 1L, Long::sum);
                continue;
            }
            FitResult fit = entry.get().shape().isPresent()
                    ? seen.computeIfAbsent(entry.get().shape().get(), k -> cache.check(k, entry.get().view().get(), pod.demand()))
                    : NodeFit.check(entry.get().view().get(), pod.demand());
            switch (fit) {
                case FitResult.Fits f -> passed.add(name);
                case FitResult.Unschedulable u -> {
                    failed.put(name, u.reason());
                    classes.merge("insufficient-devices", 1L, Long::sum);
                }
                case FitResult.Unresolvable u -> {
                    unresolvable.put(name, u.reason());
                    classes.merge("never-fits", 1L, Long::sum);
                }
            }
        }
        return new Outcome(passed, failed, unresolvable, classes);
    }
}
