package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.topology.TopologyPolicy;
import dev.tangram.core.placement.topology.TopologyScorer;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extender's {@code topology} choice and the device plugin's own GetPreferredAllocation choice (no extender decision to
 * honour) are the same GPUs on every example node, for 2, 4 and 8 whole GPUs, on an idle node and with its first GPU taken.
 * The plugin runs with the mixed MIG strategy, as with the extender: MIG-mode GPUs are no whole GPUs to either.
 */
class ExtenderAgreementTest {
    private static final TopologyPolicy EXTENDER = new TopologyPolicy();

    private static PodDemand wholeGpus(int n) {
        return new PodDemand("ns/p", 0, 0, List.of(new ContainerDemand("c", TangramNames.RESOURCE_GPU, new GpuDemand.WholeGpus(n))), Set.of());
    }

    @Test
    void extenderAndDevicePluginPickTheSameGpusOnEveryExampleNode() {
        int compared = 0;
        for (Path file : ExampleNodes.all()) {
            NodeInventory inventory = SimulatedGpuProbe.open(file).inventory();
            Optional<PluginResource> gpus = ResourcePlanner.plan(inventory, MigStrategy.MIXED, SharingConfig.none()).stream()
                    .filter(r -> r.name().equals(TangramNames.RESOURCE_GPU)).findFirst();
            if (gpus.isEmpty()) {
                continue;
            }
            PreferredAllocator plugin = new PreferredAllocator(gpus.get(), TopologyScorer.of(inventory.links()),
                    new DecisionMatcher(PlacementDecisions.NONE, Clock.systemUTC(), Duration.ofMinutes(5)), SharedPolicy.SPREAD);
            List<String> all = gpus.get().devices().stream().map(AdvertisedDevice::id).toList();
            for (List<String> taken : List.of(List.<String>of(), all.subList(0, 1))) {
                List<String> available = new ArrayList<>(all);
                available.removeAll(taken);
                NodeView view = NodeViews.fromInventory(inventory, Set.copyOf(taken));
                for (int n : new int[] {2, 4, 8}) {
                    var extender = EXTENDER.place(view, wholeGpus(n));
                    if (available.size() < n) {
                        assertThat(extender).as("%s: %d GPUs do not fit", file.getFileName(), n).isEmpty();
                        continue;
                    }
                    PreferredAllocator.Pick pick = plugin.choose(available, List.of(), n);
                    assertThat(pick.how()).isEqualTo("topology");
                    assertThat(extender).as("%s, %d GPUs, taken %s", file.getFileName(), n, taken).isPresent();
                    assertThat(pick.deviceIds()).as("%s, %d GPUs, taken %s", file.getFileName(), n, taken)
                            .containsExactlyInAnyOrderElementsOf(extender.get().assignment().containers().getFirst().deviceIds());
                    compared++;
                }
            }
        }
        // dgx-h100 (2, 4, 8 idle; 2, 4 with one taken), a100-pcie-4 (2, 4; 2), l4-2 (2) at least
        assertThat(compared).isGreaterThanOrEqualTo(9);
    }
}
