package dev.tangram.nvml.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fake NVML library ({@code src/test/c/fake_nvml.c}) compiled with gcc into {@code target/fake-nvml/libnvidia-ml.so.1},
 * and its test-only controls. Tests that need it are skipped, saying why, where gcc is missing.
 */
public final class FakeNvml {
    /** The test-only functions the fake exports besides NVML's. */
    public interface Control extends Library {
        int fakeNvmlLoad(String descriptionPath);

        void fakeNvmlSetInitResult(int code);

        int fakeNvmlInjectXid(int gpuIndex, int xid);

        int fakeNvmlSetLost(int gpuIndex, int lost);
    }

    private static Path built;
    private static Control control;

    private FakeNvml() {
    }

    /** Builds the library once per JVM (skipping the calling test when gcc is missing); answers its path. */
    public static synchronized Path library() {
        if (built != null) {
            return built;
        }
        Path source = moduleDir().resolve("src/test/c/fake_nvml.c");
        Path out = moduleDir().resolve("target/fake-nvml/libnvidia-ml.so.1");
        try {
            Files.createDirectories(out.getParent());
            Process gcc;
            try {
                gcc = new ProcessBuilder(List.of("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-o", out.toString(), source.toString(), "-lpthread"))
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                Assumptions.abort("gcc is not installed: the fake NVML library cannot be built, so NVML binding tests are skipped "
                        + "(apt-get install gcc)");
                throw e;
            }
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException("gcc failed to build the fake NVML library:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        built = out;
        control = Native.load(out.toString(), Control.class);
        return built;
    }

    public static Control control() {
        library();
        return control;
    }

    /** Loads a description into the fake (resetting every injected state); fails the test on a parse error. */
    public static void load(String description, Path dir) {
        Path file = dir.resolve("node.fake");
        try {
            Files.writeString(file, description);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int rc = control().fakeNvmlLoad(file.toString());
        if (rc != 0) {
            throw new IllegalStateException("the fake NVML library refused the description (" + rc + "):\n" + description);
        }
    }

    private static Path moduleDir() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("src/test/c")) ? here : here.resolve("nvml");
    }
}
