package dev.tangram.deviceplugin.kube;

import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;

/**
 * Writes the GPU labels and the {@code tangram.dev/gpu-inventory} annotation onto this node, only when they differ from what
 * was last written. A failure is logged and retried at the next change or periodic refresh.
 */
public final class Fabric8NodePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8NodePublisher.class);

    private final KubernetesClient client;
    private final String nodeName;
    private Map<String, String> lastLabels;
    private String lastAnnotation;

    public Fabric8NodePublisher(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    /** Answers whether the node was patched. */
    public synchronized boolean publish(NodeInventory inventory, Map<String, String> labels) {
        String annotation = InventoryCodec.write(inventory);
        if (Objects.equals(labels, lastLabels) && Objects.equals(annotation, lastAnnotation)) {
            return false;
        }
        try {
            Node patched = client.nodes().withName(nodeName).edit(n -> new NodeBuilder(n).editMetadata()
                    .addToLabels(labels)
                    .addToAnnotations(TangramNames.ANNOTATION_GPU_INVENTORY, annotation)
                    .endMetadata().build());
            if (patched == null) {
                LOG.warn("node {} not found: labels and inventory not published", nodeName);
                return false;
            }
            lastLabels = Map.copyOf(labels);
            lastAnnotation = annotation;
            LOG.info("published {} labels and the GPU inventory on node {}", labels.size(), nodeName);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warn("could not publish labels and inventory on node {}: {}", nodeName, e.getMessage());
            return false;
        }
    }
}
