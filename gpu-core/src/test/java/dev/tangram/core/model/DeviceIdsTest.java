package dev.tangram.core.model;

import dev.tangram.core.names.TangramNames;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceIdsTest {
    @Test
    void replicaIdsNameTheirGpu() {
        String id = DeviceIds.replica("GPU-abc", 3);
        assertThat(id).isEqualTo("GPU-abc::3");
        assertThat(DeviceIds.isReplica(id)).isTrue();
        assertThat(DeviceIds.physical(id)).isEqualTo("GPU-abc");
        assertThat(DeviceIds.replicaNumber(id)).isEqualTo(3);
        assertThat(DeviceIds.physical("GPU-abc")).isEqualTo("GPU-abc");
    }

    @Test
    void aWholeGpuIdIsNoReplica() {
        assertThatThrownBy(() -> DeviceIds.replicaNumber("GPU-abc")).hasMessageContaining("not a replica ID");
        assertThatThrownBy(() -> DeviceIds.replicaNumber("GPU-abc::x")).hasMessageContaining("not a replica ID");
    }

    @Test
    void migResourceNamesRoundTrip() {
        assertThat(TangramNames.migResource("1g.10gb+me")).isEqualTo("nvidia.com/mig-1g.10gb.me");
        assertThat(TangramNames.migProfileOf("nvidia.com/mig-1g.10gb.me")).isEqualTo("1g.10gb+me");
        assertThat(TangramNames.migProfileOf("nvidia.com/mig-3g.40gb")).isEqualTo("3g.40gb");
    }
}
