package dev.tangram.core.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MigProfileCatalogTest {
    @ParameterizedTest
    @CsvSource({
            "NVIDIA A100-SXM4-40GB, 40960, A100_40GB",
            "NVIDIA A100-PCIE-40GB, 40536, A100_40GB",
            "NVIDIA A100-SXM4-80GB, 81920, A100_80GB",
            "NVIDIA H100 80GB HBM3, 81559, H100_80GB",
            "NVIDIA H100 NVL, 95830, H100_94GB",
            "NVIDIA H200, 143771, H200_141GB"})
    void picksTheCatalogByProductAndMemory(String product, long mib, MigProfileCatalog expected) {
        assertThat(MigProfileCatalog.forGpu(product, mib)).contains(expected);
    }

    @Test
    void gpusWithoutMigHaveNoCatalog() {
        assertThat(MigProfileCatalog.forGpu("NVIDIA L4", 23034)).isEmpty();
        assertThat(MigProfileCatalog.forGpu("Tesla V100-SXM2-32GB", 32768)).isEmpty();
    }

    @Test
    void a100FortyGigabyteProfilesMatchTheMigUserGuide() {
        MigProfile p = MigProfileCatalog.A100_40GB.profile("1g.5gb").orElseThrow();
        assertThat(p.nvmlProfileId()).isEqualTo(19);
        assertThat(p.placementStarts()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(p.memoryMib()).isEqualTo(5 * 1024);
        MigProfile three = MigProfileCatalog.A100_40GB.profile("3g.20gb").orElseThrow();
        assertThat(three.placementStarts()).containsExactly(0, 4);
        assertThat(three.placementSize()).isEqualTo(4);
        assertThat(three.computeSlices()).isEqualTo(3);
        assertThat(MigProfileCatalog.A100_40GB.profile("1g.10gb").orElseThrow().placementStarts()).containsExactly(0, 2, 4, 6);
        assertThat(MigProfileCatalog.A100_40GB.profile("7g.40gb").orElseThrow().placementSize()).isEqualTo(8);
    }

    @Test
    void h200ProfilesCarryTheirMemory() {
        assertThat(MigProfileCatalog.H200_141GB.profiles()).extracting(MigProfile::name)
                .containsExactly("1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb");
        assertThat(MigProfileCatalog.H200_141GB.profile("7g.141gb").orElseThrow().multiprocessors()).isEqualTo(132);
    }

    @Test
    void mediaExtensionProfilesGetADottedResourceName() {
        MigProfile me = MigProfileCatalog.H100_80GB.profile("1g.10gb+me").orElseThrow();
        assertThat(me.mediaExtensions()).isTrue();
        assertThat(me.resourceName()).isEqualTo("nvidia.com/mig-1g.10gb.me");
    }
}
