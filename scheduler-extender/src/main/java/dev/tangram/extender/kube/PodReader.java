package dev.tangram.extender.kube;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Translates a fabric8 Pod into a {@link PodInfo}: the GPU demand of every container and init container
 * ({@code nvidia.com/gpu}, the shared-replica names, {@code nvidia.com/mig-*}, from limits, else requests), its gang, its
 * binding and its decision annotation. A pod whose demand cannot be read gets a {@code problem} naming the field.
 */
public final class PodReader {
    private final Set<String> sharedResources;
    private final PodGroupSizes podGroups;

    /**
     * @param sharedResources resource names of shared replicas ({@code nvidia.com/gpu.shared} and any renamed ones)
     * @param podGroups       minMember of PodGroups, when that CRD is installed
     */
    public PodReader(Set<String> sharedResources, PodGroupSizes podGroups) {
        this.sharedResources = Set.copyOf(sharedResources);
        this.podGroups = podGroups;
    }

    /** Whether {@code resource} is one this extender manages. */
    public boolean manages(String resource) {
        return resource.equals(TangramNames.RESOURCE_GPU) || sharedResources.contains(resource) || TangramNames.isMigResource(resource);
    }

    public PodInfo read(Pod pod) {
        ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
        String namespace = orEmpty(meta.getNamespace()).isEmpty() ? "default" : meta.getNamespace();
        String name = orEmpty(meta.getName());
        String uid = orEmpty(meta.getUid());
        String key = namespace + "/" + name;
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        List<String> problems = new ArrayList<>();
        if (name.isEmpty()) {
            problems.add("pod has no metadata.name");
        }
        List<ContainerDemand> demands = new ArrayList<>();
        for (Container c : orEmpty(spec.getContainers())) {
            demands.addAll(demands(c, problems));
        }
        for (Container c : orEmpty(spec.getInitContainers())) {
            demands.addAll(demands(c, problems));
        }
        Optional<PodInfo.GangRef> gang = gang(namespace, meta.getLabels() == null ? Map.of() : meta.getLabels(), problems);
        String phase = pod.getStatus() == null ? "" : orEmpty(pod.getStatus().getPhase());
        boolean terminated = phase.equals("Succeeded") || phase.equals("Failed");
        Optional<PlacementDecision> decision = Optional.empty();
        String annotation = meta.getAnnotations() == null ? null : meta.getAnnotations().get(TangramNames.ANNOTATION_PLACEMENT);
        if (annotation != null) {
            try {
                decision = Optional.of(PlacementDecisionCodec.read(annotation));
            } catch (RuntimeException e) {
                decision = Optional.empty();
            }
        }
        PodDemand demand = new PodDemand(key, 0, 0, problems.isEmpty() ? demands : List.of(), Set.of());
        return new PodInfo(uid, namespace, name, demand, problems.isEmpty() ? gang : Optional.empty(),
                String.join("; ", problems), orEmpty(spec.getNodeName()), terminated, decision, List.of());
    }

    private List<ContainerDemand> demands(Container c, List<String> problems) {
        String container = orEmpty(c.getName());
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return List.of();
        }
        Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
        Map<String, Quantity> requests = r.getRequests() == null ? Map.of() : r.getRequests();
        Set<String> names = new TreeSet<>();
        limits.keySet().stream().filter(this::manages).forEach(names::add);
        requests.keySet().stream().filter(this::manages).forEach(names::add);
        List<ContainerDemand> out = new ArrayList<>();
        for (String resource : names) {
            Optional<Long> limit = count(container, resource, "limits", limits.get(resource), problems);
            Optional<Long> request = count(container, resource, "requests", requests.get(resource), problems);
            if (limit.isPresent() && request.isPresent() && !limit.get().equals(request.get())) {
                problems.add("container " + container + ": " + resource + " request " + request.get() + " differs from limit "
                        + limit.get() + " (extended resources need equal request and limit)");
                continue;
            }
            long n = limit.or(() -> request).orElse(0L);
            if (n == 0) {
                continue;
            }
            if (n > 1024) {
                problems.add("container " + container + ": " + resource + " of " + n + " is more than any node has");
                continue;
            }
            int count = (int) n;
            GpuDemand demand = resource.equals(TangramNames.RESOURCE_GPU) ? new GpuDemand.WholeGpus(count)
                    : sharedResources.contains(resource) ? new GpuDemand.SharedReplicas(count)
                    : new GpuDemand.MigDevices(TangramNames.migProfileOf(resource), count);
            out.add(new ContainerDemand(container, resource, demand));
        }
        return out;
    }

    private static Optional<Long> count(String container, String resource, String field, Quantity q, List<String> problems) {
        if (q == null) {
            return Optional.empty();
        }
        BigDecimal value;
        try {
            value = q.getNumericalAmount();
        } catch (RuntimeException e) {
            problems.add("container " + container + ": " + field + "." + resource + " '" + q + "' is not a quantity");
            return Optional.empty();
        }
        if (value.signum() < 0 || value.stripTrailingZeros().scale() > 0) {
            problems.add("container " + container + ": " + field + "." + resource + " must be a whole number of devices, got '"
                    + q + "'");
            return Optional.empty();
        }
        try {
            return Optional.of(value.longValueExact());
        } catch (ArithmeticException e) {
            problems.add("container " + container + ": " + field + "." + resource + " '" + q + "' is too large");
            return Optional.empty();
        }
    }

    private Optional<PodInfo.GangRef> gang(String namespace, Map<String, String> labels, List<String> problems) {
        String gang = labels.get(TangramNames.LABEL_GANG);
        if (gang != null && !gang.isBlank()) {
            String size = labels.get(TangramNames.LABEL_GANG_SIZE);
            if (size == null) {
                problems.add("label " + TangramNames.LABEL_GANG + "=" + gang + " needs " + TangramNames.LABEL_GANG_SIZE);
                return Optional.empty();
            }
            try {
                int n = Integer.parseInt(size.trim());
                if (n < 1 || n > 100_000) {
                    throw new NumberFormatException();
                }
                return Optional.of(new PodInfo.GangRef(namespace + "/" + gang, n));
            } catch (NumberFormatException e) {
                problems.add("label " + TangramNames.LABEL_GANG_SIZE + " must be a whole number from 1, got '" + size + "'");
                return Optional.empty();
            }
        }
        String group = labels.get(TangramNames.LABEL_POD_GROUP);
        if (group != null && !group.isBlank() && podGroups.installed()) {
            Optional<Integer> min = podGroups.minMember(namespace, group);
            if (min.isEmpty()) {
                problems.add("PodGroup " + namespace + "/" + group + " named by label " + TangramNames.LABEL_POD_GROUP + " does not exist");
                return Optional.empty();
            }
            return Optional.of(new PodInfo.GangRef(namespace + "/podgroup/" + group, Math.max(1, min.get())));
        }
        return Optional.empty();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
