package dev.tangram.extender.gpumap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The GPU map as the page draws it: cluster totals, then nodes × GPUs, each GPU with its state, its MIG slices by
 * placement and its shared replicas. Serialised to JSON by Jackson as declared ({@code GET /ui/state.json}). Capacities
 * are in GPUs (a free whole GPU is 1.0).
 *
 * @param version  the cluster snapshot's version
 * @param totals   sums over the cluster
 * @param workload the request shapes stranded capacity is measured against, as text ("2 × nvidia.com/gpu")
 * @param nodes    nodes by name
 */
public record GpuMapView(long version, Totals totals, List<String> workload, List<NodeMap> nodes) {
    public GpuMapView {
        Objects.requireNonNull(totals, "totals");
        workload = List.copyOf(workload);
        nodes = List.copyOf(nodes);
    }

    /** The state of a GPU cell or a MIG slice. Unhealthy wins over the rest. */
    public enum CellState {
        /** nothing on it is taken */
        FREE,
        /** shared or MIG: some of it is taken, some free */
        PARTIAL,
        /** taken (by pods, or being bound) */
        ALLOCATED,
        /** held for a gang member that has not bound yet */
        RESERVED,
        /** unhealthy: nothing is given out */
        UNHEALTHY;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param nodes            nodes known to the extender
     * @param gpus             GPUs on them
     * @param free             GPU cells by state
     * @param strandedCapacity free capacity no workload shape can use, in GPUs
     */
    public record Totals(int nodes, int gpus, int free, int partial, int allocated, int reserved, int unhealthy, double freeCapacity,
                         double strandedCapacity) {
    }

    /**
     * @param name             node name
     * @param problem          why the node shows no GPUs ("" when it has an inventory)
     * @param freeCapacity     free GPU capacity, in GPUs
     * @param strandedCapacity the part of it no workload shape can use here now
     * @param gpus             its GPUs in index order
     */
    public record NodeMap(String name, String problem, double freeCapacity, double strandedCapacity, List<GpuCell> gpus) {
        public NodeMap {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(problem, "problem");
            gpus = List.copyOf(gpus);
        }
    }

    /**
     * @param index         the nvidia-smi index
     * @param uuid          the GPU UUID
     * @param product       product name
     * @param memoryMib     its memory
     * @param state         what the cell shows
     * @param note          the health reason of an unhealthy GPU, or what else explains the state ("" when nothing)
     * @param holders       pods ({@code namespace/name}) and gangs ({@code gang namespace/name}) holding any of it
     * @param freeMilli     free capacity, thousandths of a GPU
     * @param strandedMilli the part of it no workload shape can use
     * @param replicas      replica use when it is shared, else null
     * @param mig           MIG mode on (then {@code slices} are its MIG devices; slots outside them are not carved)
     * @param slices        its MIG devices by placement
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GpuCell(int index, String uuid, String product, long memoryMib, CellState state, String note, List<String> holders,
                          int freeMilli, int strandedMilli, ReplicaUse replicas, boolean mig, List<MigSlice> slices) {
        public GpuCell {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(note, "note");
            holders = List.copyOf(holders);
            slices = List.copyOf(slices);
        }
    }

    /** Replicas of a shared GPU: taken by pods, held for gangs, in all. */
    public record ReplicaUse(int used, int reserved, int total) {
    }

    /**
     * One MIG device, drawn at its placement in the GPU's 8 slots.
     *
     * @param holder the pod or gang holding it ("" when free)
     */
    public record MigSlice(String uuid, String profile, int start, int size, CellState state, String holder) {
    }
}
