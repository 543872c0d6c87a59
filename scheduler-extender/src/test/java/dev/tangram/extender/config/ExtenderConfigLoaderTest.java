package dev.tangram.extender.config;

import dev.tangram.extender.placement.PackingScorer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtenderConfigLoaderTest {
    @Test
    void anEmptyFileGivesTheDefaults() {
        ExtenderConfig c = ExtenderConfigLoader.parse("", "x");
        assertThat(c).isEqualTo(ExtenderConfig.defaults());
        assertThat(c.scoring().policy()).isEqualTo("tangram");
        assertThat(c.gangTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void readsEverySection() {
        ExtenderConfig c = ExtenderConfigLoader.parse("""
                http: {port: 9443, urlPrefix: /gpu, maxRequestBytes: 4096}
                scoring:
                  policy: topology
                  packing: spread
                  weights: {topology: 3, fragmentation: 0, packing: 1.5}
                gangTtl: 2m
                assumeTtl: 90s
                sharedResources: [nvidia.com/gpu.shared, example.com/gpu-slice]
                leaderElection: {enabled: false, namespace: gpu, name: ext, leaseDuration: 20s}
                """, "x");
        assertThat(c.http().port()).isEqualTo(9443);
        assertThat(c.scoring().packing()).isEqualTo(PackingScorer.Mode.SPREAD);
        assertThat(c.scoring().weights().topology()).isEqualTo(3);
        assertThat(c.gangTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.sharedResources()).contains("example.com/gpu-slice");
        assertThat(c.leaderElection().enabled()).isFalse();
    }

    @Test
    void badSettingsStopStartupNamingTheKeyAndTheReason() {
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("http: {prot: 1}", "f.yaml"))
                .hasMessageContaining("f.yaml").hasMessageContaining("http.prot is not a known setting");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("http: {port: 70000}", "f")).hasMessageContaining("http.port must be between 0 and 65535");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("gangTtl: soon", "f")).hasMessageContaining("gangTtl must be a duration");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("scoring: {policy: magic}", "f")).hasMessageContaining("scoring.policy 'magic' is unknown");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("scoring: {weights: {topology: 0, fragmentation: 0, packing: 0}}", "f"))
                .hasMessageContaining("scoring.weights");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("scoring: {packing: tight}", "f")).hasMessageContaining("packed or spread");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("http: {tls: {certFile: /nope.crt}}", "f")).hasMessageContaining("both certFile and keyFile");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("http: {tls: {certFile: /nope.crt, keyFile: /nope.key}}", "f"))
                .hasMessageContaining("http.tls.").hasMessageContaining("is not a readable file");
        assertThatThrownBy(() -> ExtenderConfigLoader.parse("[1, 2]", "f")).hasMessageContaining("top level must be a mapping");
    }
}
