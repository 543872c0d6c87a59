package dev.tangram.extender;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;
import java.util.UUID;

/** Nodes and pods as the API would hold them. */
public final class KubeFixtures {
    private KubeFixtures() {
    }

    public static Node node(NodeInventory inv) {
        return new NodeBuilder().withNewMetadata().withName(inv.nodeName())
                .addToAnnotations(TangramNames.ANNOTATION_GPU_INVENTORY, InventoryCodec.write(inv)).endMetadata()
                .withNewStatus().addToAllocatable(TangramNames.RESOURCE_GPU, new Quantity(String.valueOf(inv.gpus().size()))).endStatus()
                .build();
    }

    public static Node dgx(String name) {
        return node(GpuFixtures.dgxH100(name));
    }

    public static Pod gpuPod(String name, int gpus) {
        return pod(name, TangramNames.RESOURCE_GPU, gpus, Map.of());
    }

    public static Pod pod(String name, String resource, int count, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(UUID.nameUUIDFromBytes(name.getBytes()).toString())
                .withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("trainer")
                .withNewResources().addToLimits(resource, new Quantity(String.valueOf(count))).endResources().endContainer().endSpec()
                .build();
    }

    public static Pod gangPod(String name, String gang, int size, int gpus) {
        return pod(name, TangramNames.RESOURCE_GPU, gpus, Map.of(TangramNames.LABEL_GANG, gang, TangramNames.LABEL_GANG_SIZE, String.valueOf(size)));
    }
}
