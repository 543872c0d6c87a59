package dev.tangram.extender.placement;

import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;

/**
 * Packed or spread, 0..1: packed prefers the node whose healthy GPU capacity is most used after the placement (whole
 * nodes stay free for big pods), spread the least used one (load is spread).
 */
public final class PackingScorer {
    public enum Mode { PACKED, SPREAD }

    private final Mode mode;

    public PackingScorer(Mode mode) {
        this.mode = mode;
    }

    public double score(NodeView after) {
        double used = usedFraction(after);
        return mode == Mode.PACKED ? used : 1 - used;
    }

    /** Share of the node's healthy GPU capacity in use, 0..1; 1 for a node without healthy GPUs. */
    public static double usedFraction(NodeView node) {
        long capacity = 0;
        long free = 0;
        for (GpuView g : node.gpus()) {
            if (g.healthy()) {
                capacity += 1000;
                free += g.freeMilli();
            }
        }
        return capacity == 0 ? 1.0 : 1.0 - (double) free / capacity;
    }
}
