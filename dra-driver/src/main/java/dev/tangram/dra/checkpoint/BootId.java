package dev.tangram.dra.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The node's boot ID, which changes on every reboot: {@code /proc/sys/kernel/random/boot_id}. */
public final class BootId {
    public static final Path DEFAULT = Path.of("/proc/sys/kernel/random/boot_id");

    private BootId() {
    }

    /** The boot ID in {@code file}, or {@code unknown} when it cannot be read (then reboots go unnoticed). */
    public static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
