package dev.tangram.core.placement;

import dev.tangram.core.model.LinkMatrix;

import java.util.List;
import java.util.Objects;

/**
 * One node as placement sees it at one moment. Built by the extender from the inventory annotation and the pods on the
 * node, and by the simulator from a trace. CPU and memory are {@link Long#MAX_VALUE} where kube-scheduler checks them.
 *
 * @param name              node name
 * @param cpuMilliCapacity  allocatable CPU, thousandths
 * @param cpuMilliFree      unrequested CPU
 * @param memoryMibCapacity allocatable memory
 * @param memoryMibFree     unrequested memory
 * @param gpus              GPUs in position order
 * @param links             GPU-to-GPU links, by position
 */
public record NodeView(String name, long cpuMilliCapacity, long cpuMilliFree, long memoryMibCapacity, long memoryMibFree,
                       List<GpuView> gpus, LinkMatrix links) {
    public NodeView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(links, "links");
        gpus = List.copyOf(gpus);
        for (int i = 0; i < gpus.size(); i++) {
            if (gpus.get(i).position() != i) {
                throw new IllegalArgumentException("node " + name + ": GPU at list position " + i + " says position " + gpus.get(i).position());
            }
        }
        if (links.size() != gpus.size() && links.size() != 0) {
            throw new IllegalArgumentException("node " + name + ": link matrix is " + links.size() + " wide for " + gpus.size() + " GPUs");
        }
    }

    /** Sum of free GPU capacity in thousandths. */
    public long freeGpuMilli() {
        return gpus.stream().filter(GpuView::healthy).mapToLong(GpuView::freeMilli).sum();
    }

    public long wholeFreeGpus() {
        return gpus.stream().filter(GpuView::wholeFree).count();
    }
}
