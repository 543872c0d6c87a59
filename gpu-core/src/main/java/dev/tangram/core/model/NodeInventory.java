package dev.tangram.core.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Everything a node has: its GPUs (in index order), their MIG devices and sharing, and the links between them. The link
 * matrix is indexed by position in {@link #gpus()}.
 *
 * @param nodeName          the Kubernetes node name
 * @param driverVersion     NVIDIA driver version, e.g. {@code 550.54.15}
 * @param cudaDriverVersion CUDA version the driver supports, e.g. {@code 12.4}
 * @param gpus              GPUs sorted by index
 * @param links             GPU-to-GPU links, same order as {@code gpus}
 */
public record NodeInventory(String nodeName, String driverVersion, String cudaDriverVersion, List<Gpu> gpus, LinkMatrix links) {
    public NodeInventory {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(driverVersion, "driverVersion");
        Objects.requireNonNull(cudaDriverVersion, "cudaDriverVersion");
        Objects.requireNonNull(links, "links");
        gpus = List.copyOf(gpus);
        if (links.size() != gpus.size()) {
            throw new IllegalArgumentException("node " + nodeName + ": link matrix is " + links.size() + " wide for " + gpus.size() + " GPUs");
        }
        Set<String> uuids = new HashSet<>();
        Set<Integer> indices = new HashSet<>();
        for (int i = 0; i < gpus.size(); i++) {
            Gpu g = gpus.get(i);
            if (!uuids.add(g.uuid())) {
                throw new IllegalArgumentException("node " + nodeName + ": GPU UUID " + g.uuid() + " appears twice");
            }
            if (!indices.add(g.index())) {
                throw new IllegalArgumentException("node " + nodeName + ": GPU index " + g.index() + " appears twice");
            }
            if (i > 0 && gpus.get(i - 1).index() > g.index()) {
                throw new IllegalArgumentException("node " + nodeName + ": GPUs must be in index order");
            }
            for (MigDevice m : g.migDevices()) {
                if (!uuids.add(m.uuid())) {
                    throw new IllegalArgumentException("node " + nodeName + ": device UUID " + m.uuid() + " appears twice");
                }
            }
        }
    }

    public Optional<Gpu> gpu(String uuid) {
        return gpus.stream().filter(g -> g.uuid().equals(uuid)).findFirst();
    }

    public Optional<Gpu> gpuByIndex(int index) {
        return gpus.stream().filter(g -> g.index() == index).findFirst();
    }

    /** Position of the GPU in {@link #gpus()} (and in the link matrix), or -1. */
    public int positionOf(String uuid) {
        for (int i = 0; i < gpus.size(); i++) {
            if (gpus.get(i).uuid().equals(uuid)) {
                return i;
            }
        }
        return -1;
    }

    public List<MigDevice> migDevices() {
        List<MigDevice> all = new ArrayList<>();
        gpus.forEach(g -> all.addAll(g.migDevices()));
        return all;
    }

    public Optional<MigDevice> migDevice(String uuid) {
        return migDevices().stream().filter(m -> m.uuid().equals(uuid)).findFirst();
    }

    /** A copy with one GPU replaced by {@code change} applied to it; an unknown UUID is an error. */
    public NodeInventory withGpu(String uuid, UnaryOperator<Gpu> change) {
        if (positionOf(uuid) < 0) {
            throw new IllegalArgumentException("node " + nodeName + " has no GPU " + uuid);
        }
        return withGpus(gpus.stream().map(g -> g.uuid().equals(uuid) ? change.apply(g) : g).toList());
    }

    public NodeInventory withGpus(List<Gpu> newGpus) {
        return new NodeInventory(nodeName, driverVersion, cudaDriverVersion, newGpus, links);
    }

    public long totalMemoryMib() {
        return gpus.stream().mapToLong(Gpu::memoryMib).sum();
    }
}
