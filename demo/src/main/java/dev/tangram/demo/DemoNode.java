package dev.tangram.demo;

import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;

import java.util.List;

/**
 * A simulated node of the demo: its description in {@code examples/nodes} (carried in the jar under {@code nodes/}) and how
 * its device plugin offers the GPUs.
 *
 * @param name        the node's name (the description's {@code node:})
 * @param specFile    file name of the node description
 * @param migStrategy how MIG devices are offered
 * @param replicas    time-slicing replicas per GPU (1 = not shared)
 * @param summary     one line for the log
 */
public record DemoNode(String name, String specFile, MigStrategy migStrategy, int replicas, String summary) {

    public SharingConfig sharing() {
        return replicas <= 1 ? SharingConfig.none() : SharingConfig.none().withReplicas(replicas);
    }

    /** The demo's cluster: an NVSwitch node of 8 H100s, an A100 node with MIG partitions, and two L4s shared 4 ways. */
    public static List<DemoNode> cluster() {
        return List.of(
                new DemoNode("dgx-h100-01", "dgx-h100.yaml", MigStrategy.NONE, 1, "8 x H100 80GB on NVSwitch, whole GPUs"),
                new DemoNode("a100-mig-01", "a100-mig.yaml", MigStrategy.MIXED, 1, "8 x A100 80GB, GPUs 0-3 MIG-partitioned (mixed strategy)"),
                new DemoNode("l4-inference-01", "l4-2.yaml", MigStrategy.NONE, 4, "2 x L4 24GB, time-sliced 4 replicas each"));
    }
}
