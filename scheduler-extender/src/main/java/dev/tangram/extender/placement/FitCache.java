package dev.tangram.extender.placement;

import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.FitResult;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link NodeFit} answers by node shape and demand. NodeFit is a pure function of the node's shape (hardware and free
 * capacity, never names) and the demand, so an answer stays right for as long as the shape exists; a cluster of one node
 * type has a few hundred shapes. Bounded: cleared when it grows past {@link #MAX_ENTRIES}.
 */
public final class FitCache {
    static final int MAX_ENTRIES = 200_000;

    private record Key(Object shape, List<ContainerDemand> containers, Set<String> models) {
    }

    private final Map<Key, FitResult> answers = new ConcurrentHashMap<>();

    /** The fit of {@code pod} on {@code view}, whose shape is {@code shape}. Assignments in the answer name this node's devices only when computed for it: callers use the verdict, not the devices. */
    public FitResult check(Object shape, NodeView view, PodDemand pod) {
        Key key = new Key(shape, pod.containers(), pod.allowedModels());
        FitResult known = answers.get(key);
        if (known != null) {
            return known;
        }
        if (answers.size() > MAX_ENTRIES) {
            answers.clear();
        }
        FitResult fresh = NodeFit.check(view, pod);
        answers.put(key, fresh);
        return fresh;
    }
}
