package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.placement.topology.GpuSetAllocator;
import dev.tangram.core.placement.topology.TopologyScorer;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;
import dev.tangram.deviceplugin.resources.DeviceKind;
import dev.tangram.deviceplugin.resources.PluginResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Answers GetPreferredAllocation for one resource. First the extender's decision for the pod, when one matches; otherwise the
 * topology-best set (whole GPUs: NVLink, then PCIe switch, then NUMA; MIG devices: as few GPUs as possible; replicas: see
 * {@link ReplicaAllocator}). It never fails: any error falls back to the must-include devices plus the first available ones,
 * and the reason is logged. The topology table is built by the caller once per inventory, never here.
 */
public final class PreferredAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(PreferredAllocator.class);

    /** The answer and how it was reached ({@code extender}, {@code topology}, {@code replicas}, {@code fallback}). */
    public record Pick(List<String> deviceIds, String how) {
    }

    private final PluginResource resource;
    private final TopologyScorer scorer;
    private final DecisionMatcher decisions;
    private final SharedPolicy policy;

    public PreferredAllocator(PluginResource resource, TopologyScorer scorer, DecisionMatcher decisions, SharedPolicy policy) {
        this.resource = resource;
        this.scorer = scorer;
        this.decisions = decisions;
        this.policy = policy;
    }

    public Pick choose(List<String> available, List<String> mustInclude, int size) {
        try {
            Optional<DecisionMatcher.Match> match = decisions.match(resource.name(), size, available, mustInclude);
            if (match.isPresent()) {
                return new Pick(match.get().deviceIds(), "extender decision of pod " + match.get().podUid() + " container "
                        + match.get().container());
            }
            return topologyPick(available, mustInclude, size);
        } catch (RuntimeException e) {
            LOG.warn("GetPreferredAllocation for {} (size {}, {} available) fell back to a simple pick: {}", resource.name(), size,
                    available.size(), e.toString());
            return fallback(available, mustInclude, size);
        }
    }

    private Pick topologyPick(List<String> available, List<String> mustInclude, int size) {
        Map<String, AdvertisedDevice> byId = resource.byId();
        List<AdvertisedDevice> avail = new ArrayList<>();
        for (String id : new LinkedHashSet<>(available)) {
            AdvertisedDevice d = byId.get(id);
            if (d == null) {
                throw new IllegalArgumentException("available device " + id + " is not one of " + resource.name());
            }
            avail.add(d);
        }
        Set<String> must = new LinkedHashSet<>(mustInclude);
        for (String id : must) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("must-include device " + id + " is not one of " + resource.name());
            }
        }
        Set<String> pool = new HashSet<>(available);
        pool.addAll(must);
        if (size <= 0 || size > pool.size()) {
            throw new IllegalArgumentException("cannot pick " + size + " of " + available.size() + " available devices");
        }
        DeviceKind kind = avail.isEmpty() ? byId.get(must.iterator().next()).kind() : avail.getFirst().kind();
        return switch (kind) {
            case GPU -> wholeGpus(avail, must, size, byId);
            case MIG -> migDevices(avail, must, size);
            case REPLICA -> new Pick(ReplicaAllocator.choose(resource.devices(), avail, must, size, policy), "replicas " + policy.spelling());
        };
    }

    private Pick wholeGpus(List<AdvertisedDevice> avail, Set<String> must, int size, Map<String, AdvertisedDevice> byId) {
        Map<Integer, String> idAt = new LinkedHashMap<>();
        Set<Integer> availablePositions = new LinkedHashSet<>();
        for (AdvertisedDevice d : avail) {
            availablePositions.add(d.position());
            idAt.put(d.position(), d.id());
        }
        Set<Integer> required = new LinkedHashSet<>();
        for (String id : must) {
            required.add(byId.get(id).position());
            idAt.put(byId.get(id).position(), id);
        }
        int[] best = new GpuSetAllocator(scorer).choose(availablePositions, required, size)
                .orElseThrow(() -> new IllegalArgumentException("no set of " + size + " GPUs holds the must-include devices"));
        List<String> ids = new ArrayList<>();
        for (int p : best) {
            ids.add(idAt.get(p));
        }
        return new Pick(ids, "topology");
    }

    private Pick migDevices(List<AdvertisedDevice> avail, Set<String> must, int size) {
        Set<String> chosen = new LinkedHashSet<>(must);
        Set<Integer> usedGpus = new HashSet<>();
        avail.stream().filter(d -> must.contains(d.id())).forEach(d -> usedGpus.add(d.position()));
        Map<Integer, Long> freeOnGpu = new LinkedHashMap<>();
        avail.forEach(d -> freeOnGpu.merge(d.position(), 1L, Long::sum));
        List<AdvertisedDevice> order = new ArrayList<>(avail);
        order.sort(Comparator.comparing((AdvertisedDevice d) -> !usedGpus.contains(d.position()))
                .thenComparing(Comparator.comparingLong((AdvertisedDevice d) -> freeOnGpu.get(d.position())).reversed())
                .thenComparingInt(AdvertisedDevice::position));
        for (AdvertisedDevice d : order) {
            if (chosen.size() >= size) {
                break;
            }
            chosen.add(d.id());
        }
        return new Pick(List.copyOf(chosen), "mig");
    }

    static Pick fallback(List<String> available, List<String> mustInclude, int size) {
        Set<String> chosen = new LinkedHashSet<>(mustInclude);
        for (String id : available) {
            if (chosen.size() >= Math.max(size, 0)) {
                break;
            }
            chosen.add(id);
        }
        return new Pick(List.copyOf(chosen), "fallback");
    }
}
