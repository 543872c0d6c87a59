package dev.tangram.inference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve-bench on the tiny model, small: every table comes out, with numbers in it (their size is the benchmark's business). */
@Timeout(120)
class ServeBenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsThroughputTimeToFirstTokenAndDecodeStepTables() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
        Path config = dir.resolve("bench.yaml");
        Files.writeString(config, "version: 1\nmemory: { cpuBudgetMib: 256 }\n");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(new ServeBenchCommand()).execute("--model", model.toString(), "--config", config.toString(),
                    "--concurrency", "1,2", "--prompt-tokens", "8", "--max-tokens", "4", "--ttft-prompt", "48", "--shared-prefix", "32",
                    "--decode-steps", "4");
        } finally {
            System.setOut(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).containsPattern("\\| 1 \\| 8 \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\|")
                .containsPattern("\\| 2 \\| 8 \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\|")
                .containsPattern("\\| cold \\(nothing cached\\) \\| [\\d.]+ \\|")
                .containsPattern("\\| 32-token shared prefix cached \\| [\\d.]+ \\|")
                .containsPattern("\\| after a 48-token prompt \\(32 of it cached\\) \\| [\\d.]+ \\|")
                .containsPattern("\\| after a 8-token prompt \\| [\\d.]+ \\|");
    }
}
