package dev.tangram.dra.cdi;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.dra.Golden;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.config.SharingConfig;
import dev.tangram.dra.device.DeviceTarget;
import dev.tangram.dra.prepare.ContainerEdits;
import dev.tangram.dra.prepare.ContainerEditsPlanner;
import dev.tangram.dra.prepare.PlannedDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CdiSpecGoldenTest {
    private static final ClaimRef CLAIM = new ClaimRef("ml", "5f1c2a3b-0000-4000-8000-000000000001", "train-0-gpus");

    @Test
    void aClaimWithAWholeGpuAndAMigPartitionMatchesTheGoldenSpec() {
        var gpu0 = GpuFixtures.h100(0, 0);
        var gpu3 = GpuFixtures.h100(3, 0).withMig(true, List.of());
        var profile = MigProfileCatalog.H100_80GB.profile("1g.10gb").orElseThrow();
        List<PlannedDevice> devices = List.of(
                new PlannedDevice("gpus", "node-a", "gpu-0", new DeviceTarget.WholeGpu(gpu0), Optional.empty(), gpu0.memoryMib(),
                        new SharingConfig.Mps(50, 10240)),
                new PlannedDevice("gpus", "node-a", "gpu-3-mig-1g10gb-2", new DeviceTarget.MigPartition(gpu3, profile, 2),
                        Optional.empty(), profile.memoryMib(), new SharingConfig.Mps(50, 10240)));
        var created = new dev.tangram.core.model.MigDevice(GpuFixtures.migUuid(3, 9), gpu3.uuid(), 9, 0, "1g.10gb", 2, 1, 10240);
        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, devices, Map.of("gpu-3-mig-1g10gb-2", created),
                dev.tangram.dra.prepare.MigCapabilities.parse("gpu3/gi9/access 93\ngpu3/gi9/ci0/access 94\n"));

        CdiSpec spec = CdiSpecs.forClaim(CLAIM.uid(), edits);

        Golden.assertMatches("cdi-claim.json", new String(CdiDirectory.encode(spec), StandardCharsets.UTF_8));
        assertThat(spec.cdiVersion()).isEqualTo("0.5.0");
        assertThat(CdiSpecs.qualifiedName(CLAIM.uid(), "gpu-0")).isEqualTo("tangram.dev/claim=" + CLAIM.uid() + "-gpu-0");
        assertThat(CdiSpecs.fileName(CLAIM.uid())).isEqualTo("tangram.dev-claim_" + CLAIM.uid() + ".json");
    }
}
