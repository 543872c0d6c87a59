package dev.tangram.sim;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.PodDemand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tangram's own cluster and pod files for the simulator, for what the trace format cannot say (MIG layouts, time-sliced
 * replicas, MIG and replica requests). See docs/placement.md for the format; every field error names the field.
 */
final class ClusterYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    record NodesFile(List<NodeKind> nodes) {
    }

    record NodeKind(String name, Integer count, Long cpuMilli, Long memoryMib, Integer gpus, String model, Long gpuMemoryMib,
                    List<String> mig, Integer replicas) {
    }

    record PodsFile(List<PodKind> pods) {
    }

    record PodKind(String name, Integer count, Long cpuMilli, Long memoryMib, Integer gpuMilli, Integer gpus, String mig,
                   Integer migCount, Integer replicas, List<String> models) {
    }

    private ClusterYaml() {
    }

    static List<SimNode> nodes(Path file) throws IOException {
        NodesFile f = read(file, NodesFile.class);
        if (f == null || f.nodes() == null || f.nodes().isEmpty()) {
            throw new IllegalArgumentException(file + ": 'nodes' must list at least one node kind");
        }
        List<SimNode> out = new ArrayList<>();
        for (int k = 0; k < f.nodes().size(); k++) {
            NodeKind n = f.nodes().get(k);
            String where = file + ": nodes[" + k + "]";
            String name = required(n.name(), where, "name");
            int count = positive(n.count() == null ? 1 : n.count(), where, "count");
            int gpus = n.gpus() == null ? 0 : nonNegative(n.gpus(), where, "gpus");
            String model = gpus == 0 ? "" : required(n.model(), where, "model");
            for (int i = 0; i < count; i++) {
                try {
                    out.add(new SimNode(count == 1 ? name : name + "-" + i, nonNegative(required(n.cpuMilli(), where, "cpuMilli"), where, "cpuMilli"),
                            nonNegative(required(n.memoryMib(), where, "memoryMib"), where, "memoryMib"), gpus, model,
                            n.gpuMemoryMib() == null ? 0 : nonNegative(n.gpuMemoryMib(), where, "gpuMemoryMib"),
                            n.mig() == null ? List.of() : n.mig(), n.replicas() == null ? 1 : n.replicas()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
            }
        }
        for (SimNode node : out) {
            node.emptyView(); // validates MIG layouts now, naming the node
        }
        return out;
    }

    static List<SimPod> pods(Path file, List<SimNode> cluster) throws IOException {
        PodsFile f = read(file, PodsFile.class);
        if (f == null || f.pods() == null || f.pods().isEmpty()) {
            throw new IllegalArgumentException(file + ": 'pods' must list at least one pod kind");
        }
        List<SimPod> out = new ArrayList<>();
        for (int k = 0; k < f.pods().size(); k++) {
            PodKind p = f.pods().get(k);
            String where = file + ": pods[" + k + "]";
            String name = required(p.name(), where, "name");
            int count = positive(p.count() == null ? 1 : p.count(), where, "count");
            long cpu = p.cpuMilli() == null ? 0 : nonNegative(p.cpuMilli(), where, "cpuMilli");
            long mem = p.memoryMib() == null ? 0 : nonNegative(p.memoryMib(), where, "memoryMib");
            int kinds = (p.gpuMilli() == null ? 0 : 1) + (p.gpus() == null ? 0 : 1) + (p.mig() == null ? 0 : 1) + (p.replicas() == null ? 0 : 1);
            if (kinds > 1) {
                throw new IllegalArgumentException(where + ": give at most one of gpuMilli, gpus, mig, replicas");
            }
            List<ContainerDemand> containers = List.of();
            long gpuMilli = 0;
            if (p.gpuMilli() != null) {
                int m = p.gpuMilli();
                if (m < 1 || m > 1000) {
                    throw new IllegalArgumentException(where + ": gpuMilli must be 1..1000, got " + m);
                }
                containers = List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU,
                        m == 1000 ? new GpuDemand.WholeGpus(1) : new GpuDemand.GpuFraction(m)));
                gpuMilli = m;
            } else if (p.gpus() != null) {
                int g = positive(p.gpus(), where, "gpus");
                containers = List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU, new GpuDemand.WholeGpus(g)));
                gpuMilli = 1000L * g;
            } else if (p.mig() != null) {
                int c = p.migCount() == null ? 1 : positive(p.migCount(), where, "migCount");
                MigProfile profile = migProfile(p.mig(), cluster).orElseThrow(() -> new IllegalArgumentException(
                        where + ": mig: no MIG-capable node in the cluster knows profile '" + p.mig() + "'"));
                containers = List.of(new ContainerDemand("main", TangramNames.migResource(profile.name()), new GpuDemand.MigDevices(profile.name(), c)));
                gpuMilli = (long) c * profile.memorySlices() * 1000 / MigProfile.PLACEMENT_SLOTS;
            } else if (p.replicas() != null) {
                int r = positive(p.replicas(), where, "replicas");
                int perGpu = cluster.stream().filter(n -> n.replicas() > 1).mapToInt(SimNode::replicas).findFirst().orElseThrow(
                        () -> new IllegalArgumentException(where + ": replicas: no node in the cluster shares its GPUs as replicas"));
                containers = List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU_SHARED, new GpuDemand.SharedReplicas(r)));
                gpuMilli = Math.min(1000, 1000L * r / perGpu); // rounded down: a GPU's replicas never add up to more than the GPU
            }
            Set<String> models = p.models() == null ? Set.of() : Set.copyOf(p.models());
            for (int i = 0; i < count; i++) {
                String podName = String.format("%s-%05d", name, i);
                out.add(new SimPod(podName, new PodDemand(podName, cpu, mem, containers, models), gpuMilli));
            }
        }
        return out;
    }

    private static Optional<MigProfile> migProfile(String name, List<SimNode> cluster) {
        for (SimNode n : cluster) {
            if (n.migLayout().isEmpty()) {
                continue;
            }
            Optional<MigProfile> p = MigProfileCatalog.forGpu(n.model(), n.gpuMemoryMib()).flatMap(c -> c.profile(name));
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    private static <T> T read(Path file, Class<T> type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        try {
            return YAML.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage() + " (at " + e.getPathReference() + ")", e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T required(T value, String where, String field) {
        if (value == null) {
            throw new IllegalArgumentException(where + ": '" + field + "' is required");
        }
        return value;
    }

    private static int positive(int v, String where, String field) {
        if (v < 1) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be at least 1, got " + v);
        }
        return v;
    }

    private static int nonNegative(int v, String where, String field) {
        if (v < 0) {
            throw new IllegalArgumentException(where + ": '" + field + "' must not be negative, got " + v);
        }
        return v;
    }

    private static long nonNegative(long v, String where, String field) {
        if (v < 0) {
            throw new IllegalArgumentException(where + ": '" + field + "' must not be negative, got " + v);
        }
        return v;
    }
}
