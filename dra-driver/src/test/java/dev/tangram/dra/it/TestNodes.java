package dev.tangram.dra.it;

import dev.tangram.dra.DraDriver;
import dev.tangram.dra.config.DriverConfig;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Example nodes and short temporary directories (Unix socket paths must stay under 108 bytes). */
public final class TestNodes {
    private TestNodes() {
    }

    public static Path example(String name) {
        return Path.of("..", "examples", "nodes", name + ".yaml").toAbsolutePath().normalize();
    }

    public static Path shortTempDir() {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "dra");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DriverConfig config(Path root, String node, int httpPort) {
        return config(root, node, httpPort, SliceShape.COUNTERS_IN_OWN_SLICES);
    }

    public static DriverConfig config(Path root, String node, int httpPort, SliceShape shape) {
        return new DriverConfig(Optional.empty(), root.resolve("kubelet"), root.resolve("cdi"), root.resolve("state"),
                Optional.empty(), Optional.of(node), httpPort, Optional.of(shape), root.resolve("boot_id"), true);
    }

    public static void writeBootId(Path root, String bootId) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("boot_id"), bootId + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DraDriver start(Path root, String node, SimulatedGpuProbe probe, Optional<KubernetesClient> client) {
        return DraDriver.start(config(root, node, -1), probe, client, Clock.systemUTC());
    }

    public static DraDriver startWithHttp(Path root, String node, SimulatedGpuProbe probe, Optional<KubernetesClient> client) {
        return DraDriver.start(config(root, node, 0), probe, client, Clock.systemUTC());
    }
}
