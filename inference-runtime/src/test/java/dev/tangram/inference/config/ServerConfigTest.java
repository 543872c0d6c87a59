package dev.tangram.inference.config;

import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.http.ReasoningFormat;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.WindowCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {
    @Test
    void readsEveryFieldAndDefaultsTheRest() {
        ServerConfig c = ServerConfig.parse("""
                version: 1
                server: { port: 9000, drainSeconds: 5 }
                model: { name: tiny, maxModelLen: 256, reasoningFormat: none }
                memory: { utilisation: 0.5, cpuBudgetMib: 512 }
                kvCache: { blockSize: 8, type: f32, slidingWindow: full }
                scheduler: { maxBatchTokens: 64, maxRunning: 4, maxWaiting: 2 }
                engine: { readAhead: 1024, weightLayout: rows, q4Activations: float }
                """);
        assertThat(c).isEqualTo(new ServerConfig("0.0.0.0", 9000, "tiny", 256, 0.5, 512, 8, 64, 4, 2, new ReadAheadSetting(false, 1024),
                WeightLayout.ROWS, Q4Activations.FLOAT, 5, ReasoningFormat.NONE, KvCacheType.F32, WindowCache.FULL));
        assertThat(ServerConfig.parse("version: 1").windowCache()).isEqualTo(WindowCache.WINDOW);
        assertThat(ServerConfig.parse("version: 1").kvCacheType()).isEqualTo(KvCacheType.F16);
        assertThat(ServerConfig.parse("version: 1\nkvCache: { type: F16 }").kvCacheType()).isEqualTo(KvCacheType.F16);
        assertThat(ServerConfig.parse("version: 1\nkvCache: { type: q8_0 }").kvCacheType()).isEqualTo(KvCacheType.Q8_0);
        assertThat(ServerConfig.parse("version: 1").reasoningFormat()).isEqualTo(ReasoningFormat.AUTO);
        assertThat(ServerConfig.parse("version: 1").weightLayout()).isEqualTo(WeightLayout.AUTO);
        assertThat(ServerConfig.parse("version: 1").q4Activations()).isEqualTo(Q4Activations.INT8);
        assertThat(ServerConfig.parse("version: 1\nengine: { q4Activations: INT8 }").q4Activations()).isEqualTo(Q4Activations.INT8);
        assertThat(ServerConfig.parse("version: 1").port()).isEqualTo(8000);
        assertThat(ServerConfig.parse("version: 1").drainSeconds()).isEqualTo(25);
        assertThat(ServerConfig.parse("version: 1").readAhead()).isEqualTo(ReadAheadSetting.AUTO);
    }

    @Test
    void readAheadIsAutoOffOrBytes() {
        // a bare off is YAML's false; quoted, it is the word
        assertThat(ServerConfig.parse("version: 1\nengine: { readAhead: off }").readAhead()).isEqualTo(ReadAheadSetting.OFF);
        assertThat(ServerConfig.parse("version: 1\nengine: { readAhead: 'off' }").readAhead()).isEqualTo(ReadAheadSetting.OFF);
        assertThat(ServerConfig.parse("version: 1\nengine: { readAhead: 0 }").readAhead()).isEqualTo(ReadAheadSetting.OFF);
        assertThat(ServerConfig.parse("version: 1\nengine: { readAhead: auto }").readAhead()).isEqualTo(ReadAheadSetting.AUTO);
        assertThat(ServerConfig.parse("version: 1\nengine: { readAhead: '4096' }").readAhead().bytes()).isEqualTo(4096);
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { readAhead: 100 }"))
                .hasMessage("engine.readAhead: read-ahead must be auto, off or a multiple of 64 bytes up to 65536, got 100");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { readAhead: soon }"))
                .hasMessage("engine.readAhead: read-ahead must be auto, off or a number of bytes, got 'soon'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { readAhead: on }"))
                .hasMessage("engine.readAhead: expected auto, off or a number of bytes, got true (boolean)");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { readAhead: 2.5 }"))
                .hasMessage("engine.readAhead: expected auto, off or a number of bytes, got 2.5 (double)");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { weightLayout: columns }"))
                .hasMessage("engine.weightLayout: weight layout must be auto, lanes or rows, got 'columns'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { weightLayout: 16 }"))
                .hasMessage("engine.weightLayout: expected auto, lanes or rows, got 16 (integer)");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { q4Activations: int4 }"))
                .hasMessage("engine.q4Activations: Q4_0 activations must be int8 or float, got 'int4'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nmodel: { reasoningFormat: hidden }"))
                .hasMessage("model.reasoningFormat: expected auto, deepseek or none, got 'hidden'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nkvCache: { type: fp8 }"))
                .hasMessage("kvCache.type: expected f16, f32 or q8_0, got 'fp8'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nkvCache: { type: 16 }"))
                .hasMessage("kvCache.type: expected f16, f32 or q8_0, got 16 (integer)");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nkvCache: { slidingWindow: trim }"))
                .hasMessage("kvCache.slidingWindow: expected window or full, got 'trim'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nkvCache: { slidingWindow: true }"))
                .hasMessage("kvCache.slidingWindow: expected window or full, got true (boolean)");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nengine: { q4Activations: 8 }"))
                .hasMessage("engine.q4Activations: expected int8 or float, got 8 (integer)");
    }

    @Test
    void anUnknownFieldIsNamed() {
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nserver: { prot: 9000 }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.prot: unknown field; known: drainSeconds, host, port");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\ncache: {}")).hasMessageStartingWith("cache: unknown section");
    }

    @Test
    void aWrongTypeIsNamed() {
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nserver: { drainSeconds: -1 }"))
                .hasMessage("server.drainSeconds: must be between 0 and 3600, got -1");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nscheduler: { maxRunning: many }"))
                .hasMessage("scheduler.maxRunning: expected a whole number, got 'many'");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nmemory: { utilisation: 1.5 }"))
                .hasMessageContaining("memory.utilisation: must be in (0, 1]");
        assertThatThrownBy(() -> ServerConfig.parse("version: 1\nkvCache: { blockSize: 0 }"))
                .hasMessageContaining("kvCache.blockSize: must be between 1 and 1024, got 0");
    }

    @Test
    void theVersionIsRequiredAndChecked() {
        assertThatThrownBy(() -> ServerConfig.parse("server: { port: 1 }")).hasMessageStartingWith("version: missing");
        assertThatThrownBy(() -> ServerConfig.parse("version: 2")).hasMessageStartingWith("version: 2 is not supported");
        assertThatThrownBy(() -> ServerConfig.parse("version: [1")).hasMessageStartingWith("not valid YAML");
    }

    @Test
    void loadingNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("serve.yaml");
        Files.writeString(f, "version: 1\nmemory: { cpuBudgetMib: -1 }\n");
        assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("serve.yaml: memory.cpuBudgetMib: must be between 1");
        assertThatThrownBy(() -> ServerConfig.load(dir.resolve("missing.yaml"))).hasMessageContaining("cannot read config file");
    }
}
