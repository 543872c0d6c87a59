package dev.tangram.deviceplugin.allocation;

import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses shared replicas for one container: all on one GPU when any GPU has enough free replicas (the GPU of a must-include
 * replica first), choosing among the GPUs that fit by policy: {@code packed} takes the GPU with the most replicas already in
 * use, {@code spread} the one with the fewest. When no single GPU fits, it takes replicas from as few GPUs as it can.
 */
public final class ReplicaAllocator {
    private ReplicaAllocator() {
    }

    /**
     * @param all         every replica of the resource (to know how many are in use per GPU)
     * @param available   replicas the kubelet says are free, as devices
     * @param mustInclude IDs that must be in the answer
     * @param size        how many to pick
     */
    public static List<String> choose(List<AdvertisedDevice> all, List<AdvertisedDevice> available, Set<String> mustInclude, int size,
                                      SharedPolicy policy) {
        Map<String, Integer> total = new LinkedHashMap<>();
        all.forEach(d -> total.merge(d.gpuUuid(), 1, Integer::sum));
        Map<String, List<String>> free = new LinkedHashMap<>();
        Map<String, Integer> position = new LinkedHashMap<>();
        for (AdvertisedDevice d : available) {
            if (!mustInclude.contains(d.id())) {
                free.computeIfAbsent(d.gpuUuid(), k -> new ArrayList<>()).add(d.id());
            }
            position.put(d.gpuUuid(), d.position());
        }
        Set<String> chosen = new LinkedHashSet<>(mustInclude);
        Set<String> mustGpus = new LinkedHashSet<>();
        for (AdvertisedDevice d : available) {
            if (mustInclude.contains(d.id())) {
                mustGpus.add(d.gpuUuid());
            }
        }
        int need = size - chosen.size();
        if (need <= 0) {
            return List.copyOf(chosen);
        }
        Comparator<String> byPolicy = Comparator.comparingInt((String g) -> {
            int used = total.getOrDefault(g, 0) - free.getOrDefault(g, List.of()).size();
            return policy == SharedPolicy.PACKED ? -used : used;
        }).thenComparingInt(g -> position.getOrDefault(g, Integer.MAX_VALUE));
        List<String> gpus = new ArrayList<>(free.keySet());
        // the GPU of a must-include replica keeps the container on one GPU when it can
        for (String g : mustGpus) {
            List<String> f = free.getOrDefault(g, List.of());
            if (f.size() >= need) {
                chosen.addAll(f.subList(0, need));
                return List.copyOf(chosen);
            }
        }
        List<String> fitting = gpus.stream().filter(g -> free.get(g).size() >= need).sorted(byPolicy).toList();
        if (!fitting.isEmpty() && mustGpus.isEmpty()) {
            chosen.addAll(free.get(fitting.getFirst()).subList(0, need));
            return List.copyOf(chosen);
        }
        // no single GPU fits: fewest GPUs, largest free first, must-include GPUs before others
        List<String> order = new ArrayList<>(gpus);
        order.sort(Comparator.comparing((String g) -> !mustGpus.contains(g))
                .thenComparing(Comparator.comparingInt((String g) -> free.get(g).size()).reversed())
                .thenComparing(byPolicy));
        int left = need;
        for (String g : order) {
            for (String id : free.get(g)) {
                if (left == 0) {
                    break;
                }
                chosen.add(id);
                left--;
            }
        }
        return List.copyOf(chosen);
    }
}
