package dev.tangram.demo;

import dev.tangram.demo.DemoOutcome.Placement;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the outcome against what the demo expects and says so: placements, no device given twice, the inference answer. */
public final class DemoSummary {
    private DemoSummary() {
    }

    /** Problems found; empty when everything went as expected. */
    public static List<String> problems(DemoOutcome o) {
        java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        for (Placement p : o.placements()) {
            if (!p.asExpected()) {
                problems.add(p.pod().name() + " expected on " + p.pod().expectedNode().orElse("(no node)") + ", got "
                        + p.node().orElse("(rejected: " + p.rejection() + ")"));
            }
            if (p.node().isPresent() && !p.decisionHonoured()) {
                problems.add(p.pod().name() + ": the kubelet's allocation " + p.grant().map(g -> g.deviceIds()).orElse(List.of())
                        + " is not the extender's decision " + p.decidedDevices());
            }
        }
        for (Map.Entry<String, Set<String>> node : granted(o).entrySet()) {
            // node/resource -> ids: every id appears once across the node's grants
            Set<String> seen = new HashSet<>();
            o.placements().stream().filter(p -> p.grant().isPresent() && (p.node().orElseThrow() + "/" + p.grant().get().resource()).equals(node.getKey()))
                    .flatMap(p -> p.grant().get().deviceIds().stream())
                    .forEach(id -> {
                        if (!seen.add(id)) {
                            problems.add("device " + id + " on " + node.getKey() + " was allocated twice");
                        }
                    });
        }
        o.inference().ifPresent(i -> {
            if (i.answer().isBlank()) {
                problems.add("the inference server answered with no text");
            }
        });
        return problems;
    }

    private static Map<String, Set<String>> granted(DemoOutcome o) {
        Map<String, Set<String>> m = new java.util.TreeMap<>();
        o.placements().forEach(p -> p.grant().ifPresent(g -> m.computeIfAbsent(p.node().orElseThrow() + "/" + g.resource(),
                k -> new HashSet<>()).addAll(g.deviceIds())));
        return m;
    }

    /** Prints one line per pod and the verdict; answers whether everything went as expected. */
    public static boolean print(DemoOutcome o, DemoLog log) {
        for (Placement p : o.placements()) {
            log.detail("%-11s %s", p.pod().name(), p.node().map(n -> "-> " + n + " " + p.grant().map(g -> g.deviceIds().toString()).orElse(""))
                    .orElse("rejected: " + p.rejection()));
        }
        List<String> problems = problems(o);
        if (problems.isEmpty()) {
            log.step("every pod placed as expected, the rejected ones with their reasons; no device allocated twice%s",
                    o.inference().isPresent() ? "; the inference server answered" : "");
            return true;
        }
        problems.forEach(pr -> log.detail("PROBLEM: %s", pr));
        return false;
    }
}
