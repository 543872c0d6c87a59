package dev.tangram.dra.prepare;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The capability device minors of MIG instances, from {@code /proc/driver/nvidia-caps/mig-minors} (lines such as
 * {@code gpu0/gi1/access 12} and {@code gpu0/gi1/ci0/access 13}). A container using a MIG device needs the device nodes
 * {@code /dev/nvidia-caps/nvidia-cap<minor>} of its GPU instance and compute instance besides its GPU's node.
 */
public final class MigCapabilities {
    public static final java.nio.file.Path PROC_FILE = java.nio.file.Path.of("/proc/driver/nvidia-caps/mig-minors");
    public static final MigCapabilities NONE = new MigCapabilities(Map.of());

    private final Map<String, Integer> minors;

    private MigCapabilities(Map<String, Integer> minors) {
        this.minors = Map.copyOf(minors);
    }

    /** Parses the file's content; lines that are not {@code <path> <minor>} are skipped. */
    public static MigCapabilities parse(String content) {
        Map<String, Integer> minors = new HashMap<>();
        for (String line : content.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[1].matches("\\d+")) {
                minors.put(parts[0], Integer.parseInt(parts[1]));
            }
        }
        return new MigCapabilities(minors);
    }

    /** Reads the proc file; {@link #NONE} where it does not exist (no NVIDIA driver, a simulated node). */
    public static MigCapabilities read(java.nio.file.Path file) {
        try {
            return parse(java.nio.file.Files.readString(file));
        } catch (java.io.IOException e) {
            return NONE;
        }
    }

    /** The capability device nodes of one MIG device; empty when the file does not know it. */
    public List<String> deviceNodes(int gpuMinor, int gpuInstance, int computeInstance) {
        String gi = "gpu" + gpuMinor + "/gi" + gpuInstance;
        Integer giMinor = minors.get(gi + "/access");
        Integer ciMinor = minors.get(gi + "/ci" + computeInstance + "/access");
        if (giMinor == null || ciMinor == null) {
            return List.of();
        }
        return List.of("/dev/nvidia-caps/nvidia-cap" + giMinor, "/dev/nvidia-caps/nvidia-cap" + ciMinor);
    }
}
