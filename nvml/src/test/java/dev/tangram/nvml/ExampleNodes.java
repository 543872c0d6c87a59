package dev.tangram.nvml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The node descriptions under {@code examples/nodes} (shipped in nvml's test-jar so other modules' tests can use them). */
public final class ExampleNodes {
    public static final String DGX_H100 = "dgx-h100.yaml";
    public static final String A100_PCIE_4 = "a100-pcie-4.yaml";
    public static final String A100_MIG = "a100-mig.yaml";
    public static final String L4_2 = "l4-2.yaml";
    public static final String H200_MIG = "h200-mig.yaml";

    private ExampleNodes() {
    }

    /** {@code examples/nodes}, found by walking up from the working directory (a module folder or the root). */
    public static Path directory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples").resolve("nodes");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no examples/nodes above " + Path.of("").toAbsolutePath());
    }

    public static Path path(String name) {
        return directory().resolve(name);
    }

    /** Every example description, sorted by file name. */
    public static List<Path> all() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
