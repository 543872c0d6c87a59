package dev.tangram.deviceplugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Startup refuses bad settings with a message naming the field, before anything is served. */
class DevicePluginCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            int exit = new CommandLine(new DevicePluginCommand()).execute(args);
            return new Run(exit, err.toString());
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void anInvalidConfigFileStopsStartupNamingTheFieldAndTheReason() throws Exception {
        Path config = dir.resolve("dp.yaml");
        Files.writeString(config, "version: v1\nsharing:\n  policy: sideways\n");
        Run r = run("--config", config.toString(), "--kubelet-dir", dir.toString(), "--node-spec", "nowhere.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'sharing.policy'").contains("packed, spread").contains(config.toString());
    }

    @Test
    void aBadFlagValueIsNamed() {
        Run r = run("--mig-strategy", "maybe", "--kubelet-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("flag").contains("'migStrategy'").contains("none, single, mixed");
    }

    @Test
    void aMissingKubeletDirectoryOrNodeDescriptionIsNamed() {
        Run r = run("--kubelet-dir", dir.resolve("absent").toString(), "--node-spec", "x.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("kubelet directory").contains("absent");
        Run r2 = run("--kubelet-dir", dir.toString(), "--node-spec", dir.resolve("missing.yaml").toString());
        assertThat(r2.exit()).isEqualTo(1);
        assertThat(r2.err()).contains("missing.yaml");
    }

    @Test
    void withoutANodeDescriptionItNeedsNvmlAndSaysSoWhenItIsMissing() {
        String old = System.getProperty("tangram.nvml.library");
        System.setProperty("tangram.nvml.library", dir.resolve("libnvidia-ml-absent.so").toString());
        try {
            Run r = run("--kubelet-dir", dir.toString(), "--http-port", "0");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("cannot load NVML").contains("libnvidia-ml-absent.so");
        } finally {
            if (old == null) {
                System.clearProperty("tangram.nvml.library");
            } else {
                System.setProperty("tangram.nvml.library", old);
            }
        }
    }

    @Test
    void singleMigStrategyOnANodeWithMixedProfilesIsRefusedAtStartup() {
        Path node = dev.tangram.nvml.ExampleNodes.path(dev.tangram.nvml.ExampleNodes.A100_MIG);
        Run r = run("--kubelet-dir", dir.toString(), "--node-spec", node.toString(), "--mig-strategy", "single", "--http-port", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("single").contains("mixed");
    }
}
