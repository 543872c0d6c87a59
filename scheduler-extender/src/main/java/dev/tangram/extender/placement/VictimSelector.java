package dev.tangram.extender.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Preempt: narrows the victims kube-scheduler proposes on one node to those whose GPUs the pod really needs. Victims that
 * hold no GPU on the node were chosen for other resources and are kept as they are; among GPU holders, each is reprieved
 * in the order given (kube-scheduler lists the most important first) when the pod still fits without evicting it. Pure.
 */
public final class VictimSelector {
    private VictimSelector() {
    }

    /**
     * @param victims     victim UIDs as proposed
     * @param holdsGpu    whether a victim holds GPUs on the node
     * @param fitsWithout whether the pod fits once the given victims are gone
     * @return the narrowed victims, or empty when evicting them cannot make the pod fit, or when no victim is needed
     */
    public static Optional<List<String>> narrow(List<String> victims, Predicate<String> holdsGpu, Predicate<Set<String>> fitsWithout) {
        List<String> gpuHolders = victims.stream().filter(holdsGpu).toList();
        Set<String> evict = new HashSet<>(gpuHolders);
        if (!fitsWithout.test(Set.copyOf(evict))) {
            return Optional.empty();
        }
        for (String v : gpuHolders) {
            evict.remove(v);
            if (!fitsWithout.test(Set.copyOf(evict))) {
                evict.add(v);
            }
        }
        List<String> out = new ArrayList<>();
        for (String v : victims) {
            if (!holdsGpu.test(v) || evict.contains(v)) {
                out.add(v);
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }
}
