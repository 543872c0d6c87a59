package dev.tangram.deviceplugin.cdi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.GpuFixtures;
import dev.tangram.deviceplugin.allocation.MigCapabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CdiSpecWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesAValidSpecNamingEveryGpuByUuidAndIndexAndRewritesOnlyOnChange() throws Exception {
        CdiSpecWriter w = new CdiSpecWriter(dir.resolve("cdi"), Path.of("/dev"), MigCapabilities.formula());
        var inv = GpuFixtures.pcieWithPairs("n");
        assertThat(w.write(inv)).isTrue();
        JsonNode spec = new ObjectMapper().readTree(w.file().toFile());
        assertThat(spec.path("cdiVersion").asText()).isEqualTo("0.6.0");
        assertThat(spec.path("kind").asText()).isEqualTo("tangram.dev/gpu");
        List<String> names = new ArrayList<>();
        spec.path("devices").forEach(d -> names.add(d.path("name").asText()));
        assertThat(names).contains(GpuFixtures.gpuUuid(0), "0", GpuFixtures.gpuUuid(3), "3").hasSize(8);
        JsonNode first = spec.path("devices").get(0).path("containerEdits");
        assertThat(first.path("deviceNodes").get(0).path("path").asText()).isEqualTo("/dev/nvidia0");
        assertThat(first.path("env").get(0).asText()).startsWith("TANGRAM_GPU_0_UUID=");
        assertThat(spec.path("containerEdits").path("deviceNodes").size()).isEqualTo(3);
        assertThat(w.write(inv)).isFalse();
        try (var files = Files.list(dir.resolve("cdi"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(CdiSpecWriter.FILE_NAME);
        }
    }
}
