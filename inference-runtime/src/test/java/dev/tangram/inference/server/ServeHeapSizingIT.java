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
import java.nio.file.Path;
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
@Timeout(120)
class ServeHeapSizingIT {
    @TempDir
    Path dir;

    @Test
    void aKvCacheCappedByTheHeapFitsTheParallelCollectorsOldGeneration() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), model);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "-XX:+UseParallelGC", "-Xmx512m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), ServeCommand.class.getName(), "--model", model.toString(), "--port", "0")
                .redirectErrorStream(true).start();
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
        String log = String.join("\n", lines);
        assertThat(log).contains("capped at").contains("by the JVM heap").doesNotContain("OutOfMemoryError").contains("serving ");
    }
}
