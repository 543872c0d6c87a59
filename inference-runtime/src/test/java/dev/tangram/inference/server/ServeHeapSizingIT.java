package dev.tangram.inference.server;

import dev.tangram.inference.cli.ServeCommand;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} in its own JVM under the parallel collector (what {@code bin/tangram serve} runs), with a memory budget
 * larger than the heap, so that the KV cache is capped by the heap. The cap used to be the whole {@code -Xmx}, but the
 * parallel collector keeps long-lived arrays in an old generation of two thirds of it: the server died with an
 * OutOfMemoryError at start instead of serving (first seen on a GPU node with a 16 GiB heap, docs/hardware.md).
 */
@Timeout(180)
class ServeHeapSizingIT {
    @TempDir
    Path dir;

    @Test
    void aKvCacheCappedByTheHeapFitsTheParallelCollectorsOldGeneration() throws Exception {
        String log = serve("-Xmx512m");
        assertThat(log).contains("capped at").contains("by the JVM heap").doesNotContain("OutOfMemoryError").contains("serving ");
        // the default 4 GiB budget leaves the cache more than this heap holds: the lane copy is set beside the heap's maximum
        assertThat(log).containsPattern("auto: [0-9.]+ MiB to rearrange, [0-9.]+ GiB of memory, a heap of up to 0\\.[0-9] GiB and");
    }

    /**
     * A small budget bounds what the heap will hold, so the lane copy is set beside that bound (what is in use, the
     * young generation's maximum, what the budget leaves the cache, room for requests), not beside the whole -Xmx.
     */
    @Test
    void aSmallBudgetBoundsTheHeapTheLaneCopyIsSetBeside() throws Exception {
        Path config = Files.writeString(dir.resolve("serve.yaml"), "version: 1\nmemory: { cpuBudgetMib: 64 }\n");
        String log = serve("-Xmx2g", "--config", config.toString());
        assertThat(log).contains("serving ").containsPattern("a heap filled to at most [0-9.]+ GiB of its 1\\.[0-9] GiB \\([0-9.]+ GiB in use, "
                + "a young generation of up to [0-9.]+ GiB, 0\\.1 GiB the budget leaves the KV cache and activations, 256 MiB for requests\\)");
    }

    /** The server's output, from start until it serves (or stops, or a minute passes), run with a heap option and arguments. */
    private String serve(String heap, String... args) throws Exception {
        Path model = dir.resolve("tiny.gguf");
        if (!Files.exists(model)) {
            RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseParallelGC", heap, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), ServeCommand.class.getName(), "--model", model.toString(), "--port", "0"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("(reading the server's output failed: " + e + ")");
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && lines.stream().noneMatch(l -> l.contains("serving ")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            p.destroyForcibly().waitFor();
            reader.join(5_000);
        }
        return String.join("\n", lines);
    }
}
