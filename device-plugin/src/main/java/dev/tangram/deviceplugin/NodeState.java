package dev.tangram.deviceplugin;

import dev.tangram.core.placement.topology.TopologyScorer;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The node as the plugin serves it right now: the inventory (health applied), the resources planned from it, and the
 * topology table. Replaced as a whole on every change, so readers see one consistent snapshot without locks; listeners hear
 * of each new snapshot. The topology table is rebuilt only when the link matrix changes.
 */
public final class NodeState {
    /** One consistent view. */
    public record Snapshot(NodeInventory inventory, Map<String, PluginResource> resources, TopologyScorer scorer) {
        public Optional<PluginResource> resource(String name) {
            return Optional.ofNullable(resources.get(name));
        }
    }

    private final MigStrategy migStrategy;
    private final SharingConfig sharing;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;

    public NodeState(NodeInventory initial, MigStrategy migStrategy, SharingConfig sharing) {
        this.migStrategy = migStrategy;
        this.sharing = sharing;
        this.snapshot = build(initial, null);
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public void addListener(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /** Installs a new inventory; listeners are told only when something changed. */
    public synchronized boolean update(NodeInventory inventory) {
        Snapshot before = snapshot;
        if (before.inventory().equals(ResourcePlanner.withSharing(inventory, migStrategy, sharing))) {
            return false;
        }
        Snapshot next = build(inventory, before);
        snapshot = next;
        listeners.forEach(l -> l.accept(next));
        return true;
    }

    private Snapshot build(NodeInventory inventory, Snapshot before) {
        NodeInventory shared = ResourcePlanner.withSharing(inventory, migStrategy, sharing);
        Map<String, PluginResource> resources = new LinkedHashMap<>();
        for (PluginResource r : ResourcePlanner.plan(inventory, migStrategy, sharing)) {
            resources.put(r.name(), r);
        }
        TopologyScorer scorer = before != null && Objects.equals(before.inventory().links(), inventory.links())
                ? before.scorer() : TopologyScorer.of(inventory.links());
        return new Snapshot(shared, java.util.Collections.unmodifiableMap(resources), scorer);
    }
}
