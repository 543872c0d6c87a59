package dev.tangram.deviceplugin.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsEveryFieldOfTheExampleFile() throws Exception {
        PluginConfig c = ConfigLoader.load(Optional.of(file("""
                version: v1
                nodeName: gpu-7
                migStrategy: mixed
                deviceListStrategy: cdi
                deviceIdStrategy: index
                sharing:
                  strategy: time-slicing
                  replicas: 2
                  perProduct: {"NVIDIA L4": 4}
                  perIndex: {1: 8}
                  resourceName: example.com/shared-gpu
                  renameByDefault: true
                  policy: packed
                  failRequestsGreaterThanOne: true
                health:
                  ignoredXids: [13, 43]
                  quietPeriod: 90s
                paths:
                  kubeletDir: /k
                  cdiDir: /cdi
                placement:
                  decisionTtl: 2m
                http:
                  port: 9000
                """)), Map.of(), Map.of());
        assertThat(c.nodeName()).isEqualTo("gpu-7");
        assertThat(c.migStrategy()).isEqualTo(MigStrategy.MIXED);
        assertThat(c.deviceListStrategy()).isEqualTo(DeviceListStrategy.CDI);
        assertThat(c.deviceIdStrategy()).isEqualTo(DeviceIdStrategy.INDEX);
        assertThat(c.sharing().replicas()).isEqualTo(2);
        assertThat(c.sharing().perProduct()).containsEntry("NVIDIA L4", 4);
        assertThat(c.sharing().perIndex()).containsEntry(1, 8);
        assertThat(c.sharing().resourceName()).isEqualTo("example.com/shared-gpu");
        assertThat(c.sharing().policy()).isEqualTo(SharedPolicy.PACKED);
        assertThat(c.sharing().failRequestsGreaterThanOne()).isTrue();
        assertThat(c.health().ignoredXids()).isEqualTo(Set.of(13, 43));
        assertThat(c.health().quietPeriod()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.kubeletDir()).isEqualTo(Path.of("/k"));
        assertThat(c.cdiDir()).isEqualTo(Path.of("/cdi"));
        assertThat(c.decisionTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.httpPort()).isEqualTo(9000);
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFile() throws Exception {
        Path f = file("version: v1\nmigStrategy: single\nsharing: {replicas: 2}\ndeviceIdStrategy: index\n");
        PluginConfig c = ConfigLoader.load(Optional.of(f),
                Map.of("TANGRAM_MIG_STRATEGY", "mixed", "TANGRAM_TIME_SLICING_REPLICAS", "4", "NODE_NAME", "from-env"),
                Map.of("migStrategy", "none"));
        assertThat(c.migStrategy()).isEqualTo(MigStrategy.NONE);
        assertThat(c.sharing().replicas()).isEqualTo(4);
        assertThat(c.deviceIdStrategy()).isEqualTo(DeviceIdStrategy.INDEX);
        assertThat(c.nodeName()).isEqualTo("from-env");
    }

    @Test
    void defaultsAreSafe() {
        PluginConfig c = ConfigLoader.load(Optional.empty(), Map.of("NODE_NAME", "n"), Map.of());
        assertThat(c.deviceListStrategy()).isEqualTo(DeviceListStrategy.VOLUME_MOUNTS);
        assertThat(c.health().ignoredXids()).containsExactlyInAnyOrder(13, 31, 43, 45, 68, 109);
        assertThat(c.health().quietPeriod()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.decisionTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.kubeletDir()).isEqualTo(Path.of("/var/lib/kubelet/device-plugins"));
        assertThat(c.cdiDir()).isEqualTo(Path.of("/var/run/cdi"));
    }

    @Test
    void anInvalidFileNamesTheFieldAndTheReason() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nmigStrategy: sometimes\n")), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'migStrategy'").hasMessageContaining("none, single, mixed")
                .hasMessageContaining("config file");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nsharing: {replicas: -2}\n")), Map.of(), Map.of()))
                .hasMessageContaining("'sharing.replicas'").hasMessageContaining("between 1 and 1024");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nsharing: {replicaz: 2}\n")), Map.of(), Map.of()))
                .hasMessageContaining("unknown field 'sharing.replicaz'");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nhealth: {quietPeriod: soon}\n")), Map.of(), Map.of()))
                .hasMessageContaining("'health.quietPeriod'").hasMessageContaining("duration");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nhealth: {ignoredXids: [13, x]}\n")), Map.of(), Map.of()))
                .hasMessageContaining("'health.ignoredXids'");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nsharing: {resourceName: gpu}\n")), Map.of(), Map.of()))
                .hasMessageContaining("'sharing.resourceName'").hasMessageContaining("domain-prefixed");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v2\n")), Map.of(), Map.of()))
                .hasMessageContaining("'version'").hasMessageContaining("v1");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("migStrategy: none\n")), Map.of(), Map.of()))
                .hasMessageContaining("'version' is missing");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\n  bad: [")), Map.of(), Map.of()))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("version: v1\nmigStrategy: mixed\nsharing: {strategy: mps, replicas: 2}\n")),
                Map.of(), Map.of())).hasMessageContaining("mps cannot be combined with migStrategy mixed");
    }

    @Test
    void aBadEnvironmentVariableOrFlagIsNamedToo() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("TANGRAM_DEVICE_LIST_STRATEGY", "carrier-pigeon"), Map.of()))
                .hasMessageContaining("environment variable TANGRAM_DEVICE_LIST_STRATEGY").hasMessageContaining("envvar, volume-mounts, cdi");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("http.port", "99999")))
                .hasMessageContaining("flag").hasMessageContaining("'http.port'");
    }

    @Test
    void replicasComeFromIndexThenProductThenTheNodeWideDefault() {
        SharingConfig s = new SharingConfig("time-slicing", 2, Map.of("NVIDIA L4", 4), Map.of(1, 8), "nvidia.com/gpu.shared", true,
                SharedPolicy.SPREAD, false, Path.of("/mps"));
        var l4 = dev.tangram.core.GpuFixtures.fullGpu(0, "NVIDIA L4", 23034, 0);
        var l4at1 = dev.tangram.core.GpuFixtures.fullGpu(1, "NVIDIA L4", 23034, 0);
        var other = dev.tangram.core.GpuFixtures.h100(2, 0);
        assertThat(s.replicasFor(l4)).isEqualTo(4);
        assertThat(s.replicasFor(l4at1)).isEqualTo(8);
        assertThat(s.replicasFor(other)).isEqualTo(2);
    }
}
