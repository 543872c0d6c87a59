package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.server.InferenceServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official openai Python client against a running Tangram server (a generated tiny model, the whole server: real
 * HTTP, scheduler, engine): {@code conformance/openai_client_check.py} makes completions and chat completions, streamed
 * and not, with several prompts, {@code n} and a seed, log-probabilities and echo, a stop sequence, usage in the stream,
 * content parts and the developer role, and checks what the client parses out of every answer, and that a too-long
 * prompt, an unknown model and a mistyped field reach it as the error types it raises for 400 and 404. A second
 * implementation of the wire format, as the GGUF and transformers comparisons are for the model. Runs where
 * {@code TANGRAM_OPENAI_PYTHON} names a Python with the {@code openai} package (docs/inference-server.md says how to make
 * one); skipped otherwise, as on CI.
 */
class OpenAiClientIT {
    @TempDir
    Path dir;

    @Test
    void theOfficialClientReadsEveryAnswer() throws Exception {
        String python = PythonScript.interpreter("TANGRAM_OPENAI_PYTHON", "the openai package to check the API with its official client");
        Path model = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
        Path script = PythonScript.copy(dir, "openai_client_check.py");
        ServerConfig config = ServerConfig.parse("""
                version: 1
                server: { host: 127.0.0.1, port: 0 }
                memory: { cpuBudgetMib: 256 }
                """);
        try (InferenceServer server = InferenceServer.start(model, config, Map.of(), Optional.empty())) {
            NodeLlamaCpp.Result result = NodeLlamaCpp.run(dir, 300, python, script.toString(), "http://127.0.0.1:" + server.port() + "/v1");
            assertThat(result.code()).as(result.output()).isZero();
            assertThat(result.output()).contains("OK errors", "failures: []");
        }
    }
}
