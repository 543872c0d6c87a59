package dev.tangram.dra.kube;

import dev.tangram.dra.slice.PoolSlice;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceSpec;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Publishes the node's pool as ResourceSlices: nothing when the content is unchanged; otherwise a higher generation on
 * every slice of the pool, obsolete slices deleted first, the others created or replaced. Slices are owned by the Node.
 */
public final class Fabric8ResourceSlicePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8ResourceSlicePublisher.class);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final String driver;
    private final String node;
    private long generation;

    public Fabric8ResourceSlicePublisher(KubernetesClient client, String driver, String node) {
        this.client = client;
        this.driver = driver;
        this.node = node;
    }

    /** Answers whether anything was written. */
    public synchronized boolean publish(List<PoolSlice> slices) {
        List<ResourceSlice> existing = existing();
        long current = existing.stream().mapToLong(s -> s.getSpec().getPool().getGeneration()).max().orElse(0);
        List<ResourceSlice> desired = ResourceSliceTranslator.translate(driver, node, slices, 0, owner());
        if (sameContent(existing, desired)) {
            generation = Math.max(generation, current);
            return false;
        }
        generation = Math.max(generation, current) + 1;
        desired = ResourceSliceTranslator.translate(driver, node, slices, generation, owner());
        Set<String> names = desired.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
        for (ResourceSlice old : existing) {
            if (!names.contains(old.getMetadata().getName())) {
                client.dynamicResourceAllocation().v1().resourcesSlices().withName(old.getMetadata().getName()).delete();
            }
        }
        for (ResourceSlice s : desired) {
            client.dynamicResourceAllocation().v1().resourcesSlices().resource(s).createOr(NonDeletingOperation::update);
        }
        LOG.info("published {} ResourceSlices of pool {} at generation {} ({} devices)", desired.size(), node, generation,
                slices.stream().mapToInt(p -> p.devices().size()).sum());
        return true;
    }

    public synchronized long generation() {
        return generation;
    }

    /** This node's slices of this driver, by name. */
    public List<ResourceSlice> existing() {
        return client.dynamicResourceAllocation().v1().resourcesSlices()
                .withLabel(ResourceSliceTranslator.LABEL_MANAGED_BY, driver).list().getItems().stream()
                .filter(s -> s.getSpec() != null && driver.equals(s.getSpec().getDriver()) && node.equals(s.getSpec().getNodeName()))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .toList();
    }

    private static boolean sameContent(List<ResourceSlice> existing, List<ResourceSlice> desired) {
        if (existing.size() != desired.size()) {
            return false;
        }
        Map<String, ResourceSlice> byName = existing.stream().collect(Collectors.toMap(s -> s.getMetadata().getName(), Function.identity()));
        long generations = existing.stream().map(s -> s.getSpec().getPool().getGeneration()).distinct().count();
        if (generations != 1) {
            return false;
        }
        for (ResourceSlice d : desired) {
            ResourceSlice e = byName.get(d.getMetadata().getName());
            if (e == null || !Objects.equals(withoutGeneration(e.getSpec()), withoutGeneration(d.getSpec()))) {
                return false;
            }
        }
        return true;
    }

    /** The spec as the API server would give it back (empty lists, quantities), generation set aside. */
    private static ResourceSliceSpec withoutGeneration(ResourceSliceSpec spec) {
        ResourceSliceSpec copy = new ResourceSliceSpecBuilder(spec).editPool().withGeneration(0L).endPool().build();
        return SERIALIZATION.unmarshal(SERIALIZATION.asJson(copy), ResourceSliceSpec.class);
    }

    private Optional<OwnerReference> owner() {
        Node n = client.nodes().withName(node).get();
        if (n == null || n.getMetadata().getUid() == null) {
            return Optional.empty();
        }
        return Optional.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node").withName(node)
                .withUid(n.getMetadata().getUid()).withController(true).build());
    }
}
