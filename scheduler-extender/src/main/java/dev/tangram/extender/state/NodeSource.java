package dev.tangram.extender.state;

import dev.tangram.core.model.NodeInventory;

import java.util.Objects;
import java.util.Optional;

/**
 * What a node says about its GPUs: the inventory from its annotation, or why there is none.
 *
 * @param name       node name
 * @param annotation the raw annotation text ("" when absent), to tell when it changed
 * @param inventory  the parsed inventory
 * @param problem    why there is no inventory ("" when there is one)
 */
public record NodeSource(String name, String annotation, Optional<NodeInventory> inventory, String problem) {
    public NodeSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(annotation, "annotation");
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(problem, "problem");
        if (inventory.isEmpty() == problem.isEmpty()) {
            throw new IllegalArgumentException("node " + name + ": exactly one of inventory and problem");
        }
    }

    public static NodeSource of(String name, String annotation, NodeInventory inventory) {
        return new NodeSource(name, annotation, Optional.of(inventory), "");
    }

    public static NodeSource without(String name, String annotation, String problem) {
        return new NodeSource(name, annotation, Optional.empty(), problem);
    }
}
