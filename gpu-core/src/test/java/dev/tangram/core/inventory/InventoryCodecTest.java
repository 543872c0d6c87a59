package dev.tangram.core.inventory;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.json.JsonException;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.NodeInventory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InventoryCodecTest {
    @Test
    void roundTripsANodeWithMigSharingAndAnUnhealthyGpu() {
        NodeInventory inv = GpuFixtures.dgxH100("node-a");
        inv = inv.withGpu(GpuFixtures.gpuUuid(1), g -> g.withMig(true, List.of(
                GpuFixtures.migDevice(1, 1, "3g.40gb", 0, 4, 40960),
                GpuFixtures.migDevice(1, 2, "1g.10gb", 4, 1, 10240))));
        inv = inv.withGpu(GpuFixtures.gpuUuid(2), g -> GpuFixtures.sharedGpu(g, 4));
        inv = inv.withGpu(GpuFixtures.gpuUuid(3), g -> g.withHealth(Health.unhealthy("Xid 79")));
        String text = InventoryCodec.write(inv);
        assertThat(InventoryCodec.read(text)).isEqualTo(inv);
        assertThat(text).startsWith("{\"v\":1,").doesNotContain(" \n");
    }

    @Test
    void roundTripsThePcieNodeLinks() {
        NodeInventory inv = GpuFixtures.pcieWithPairs("pcie");
        NodeInventory back = InventoryCodec.read(InventoryCodec.write(inv));
        assertThat(back.links().link(0, 1).nvlinks()).isEqualTo(4);
        assertThat(back.links().link(1, 2).nvlinks()).isZero();
        assertThat(back).isEqualTo(inv);
    }

    @Test
    void refusesANewerVersion() {
        assertThatThrownBy(() -> InventoryCodec.read("{\"v\":9,\"node\":\"n\",\"driver\":\"d\",\"cuda\":\"c\",\"gpus\":[],\"links\":[]}"))
                .isInstanceOf(JsonException.class).hasMessageContaining("inventory.v is 9");
    }

    @Test
    void namesTheBrokenField() {
        String text = InventoryCodec.write(GpuFixtures.pcieWithPairs("p")).replace("\"memMib\":40960", "\"memMib\":\"big\"");
        assertThatThrownBy(() -> InventoryCodec.read(text)).hasMessage("inventory.gpus[0].memMib must be an integer");
        String badLink = InventoryCodec.write(GpuFixtures.pcieWithPairs("p")).replaceFirst("4:PHB", "4:WAT");
        assertThatThrownBy(() -> InventoryCodec.read(badLink)).hasMessageContaining("inventory.links[0][1]");
    }

    @Test
    void ignoresUnknownFieldsFromANewerMinorWriter() {
        String text = InventoryCodec.write(GpuFixtures.pcieWithPairs("p")).replace("{\"v\":1,", "{\"v\":1,\"extra\":{\"x\":1},");
        assertThat(InventoryCodec.read(text).nodeName()).isEqualTo("p");
    }
}
