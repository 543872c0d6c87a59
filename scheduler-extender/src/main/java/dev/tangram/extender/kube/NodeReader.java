package dev.tangram.extender.kube;

import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.state.NodeSource;
import io.fabric8.kubernetes.api.model.Node;

/** Translates a fabric8 Node into a {@link NodeSource}: its GPU inventory annotation, or why it has none. */
public final class NodeReader {
    private NodeReader() {
    }

    public static NodeSource read(Node node) {
        String name = node.getMetadata() == null || node.getMetadata().getName() == null ? "" : node.getMetadata().getName();
        String annotation = node.getMetadata() == null || node.getMetadata().getAnnotations() == null ? null
                : node.getMetadata().getAnnotations().get(TangramNames.ANNOTATION_GPU_INVENTORY);
        if (annotation == null) {
            return NodeSource.without(name, "", "node " + name + " has no " + TangramNames.ANNOTATION_GPU_INVENTORY
                    + " annotation: the Tangram device plugin does not run there (or has not published yet)");
        }
        try {
            NodeInventory inv = InventoryCodec.read(annotation);
            if (!inv.nodeName().equals(name)) {
                return NodeSource.without(name, annotation, "node " + name + ": its " + TangramNames.ANNOTATION_GPU_INVENTORY
                        + " annotation describes node " + inv.nodeName());
            }
            return NodeSource.of(name, annotation, inv);
        } catch (RuntimeException e) {
            return NodeSource.without(name, annotation, "node " + name + ": unreadable " + TangramNames.ANNOTATION_GPU_INVENTORY
                    + " annotation: " + e.getMessage());
        }
    }
}
