package dev.tangram.dra.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuConfigParserTest {
    private static String config(String sharing) {
        return "{\"apiVersion\":\"gpu.tangram.dev/v1alpha1\",\"kind\":\"GpuConfig\",\"sharing\":" + sharing + "}";
    }

    @Test
    void readsTimeSlicingWithItsInterval() {
        assertThat(GpuConfigParser.parse(config("{\"strategy\":\"TimeSlicing\",\"timeSlicing\":{\"interval\":\"Short\"}}")))
                .isEqualTo(new SharingConfig.TimeSlicing(SharingConfig.Interval.Short));
    }

    @Test
    void readsMpsWithThreadPercentageAndMemoryLimit() {
        assertThat(GpuConfigParser.parse(config("{\"strategy\":\"MPS\",\"mps\":{\"activeThreadPercentage\":25,\"pinnedMemoryLimit\":\"10Gi\"}}")))
                .isEqualTo(new SharingConfig.Mps(25, 10240));
    }

    @Test
    void noSharingSectionMeansNoSharingSettings() {
        assertThat(GpuConfigParser.parse("{\"apiVersion\":\"gpu.tangram.dev/v1alpha1\",\"kind\":\"GpuConfig\"}"))
                .isEqualTo(SharingConfig.NONE);
    }

    @Test
    void rejectsAnUnknownVersionKindFieldOrValueNamingIt() {
        assertThatThrownBy(() -> GpuConfigParser.parse("{\"apiVersion\":\"gpu.tangram.dev/v9\",\"kind\":\"GpuConfig\"}"))
                .hasMessageContaining("apiVersion").hasMessageContaining("gpu.tangram.dev/v9");
        assertThatThrownBy(() -> GpuConfigParser.parse("{\"apiVersion\":\"gpu.tangram.dev/v1alpha1\",\"kind\":\"Other\"}"))
                .hasMessageContaining("kind");
        assertThatThrownBy(() -> GpuConfigParser.parse(config("{\"strategy\":\"MPS\",\"mps\":{\"threads\":3}}")))
                .hasMessageContaining("sharing.mps.threads");
        assertThatThrownBy(() -> GpuConfigParser.parse(config("{\"strategy\":\"TimeSlicing\",\"timeSlicing\":{\"interval\":\"Eternal\"}}")))
                .hasMessageContaining("sharing.timeSlicing.interval").hasMessageContaining("Eternal");
        assertThatThrownBy(() -> GpuConfigParser.parse(config("{\"strategy\":\"MPS\",\"mps\":{\"activeThreadPercentage\":150}}")))
                .hasMessageContaining("activeThreadPercentage");
        assertThatThrownBy(() -> GpuConfigParser.parse(config("{\"strategy\":\"MPS\",\"mps\":{\"pinnedMemoryLimit\":\"lots\"}}")))
                .hasMessageContaining("sharing.mps.pinnedMemoryLimit").hasMessageContaining("lots");
        assertThatThrownBy(() -> GpuConfigParser.parse("{not json"))
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void memoryQuantitiesUnderstandBinaryAndDecimalSuffixes() {
        assertThat(MemoryQuantity.parse("10Gi").mib()).isEqualTo(10240);
        assertThat(MemoryQuantity.parse("512Mi").mib()).isEqualTo(512);
        assertThat(MemoryQuantity.parse("1073741824").mib()).isEqualTo(1024);
        assertThat(MemoryQuantity.parse("2G").bytes()).isEqualTo(2_000_000_000L);
    }
}
