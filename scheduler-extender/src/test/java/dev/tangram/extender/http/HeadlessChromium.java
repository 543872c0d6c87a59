package dev.tangram.extender.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} run headless, one process per page load, each with a fresh profile directory: the DOM after
 * the page's scripts ran (virtual time lets its timers and polls happen), or a screenshot.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    /** Virtual time the page runs for before the DOM is dumped or the screenshot taken: enough for its first poll. */
    static final int VIRTUAL_TIME_MS = 3000;
    private static final long TIMEOUT_SECONDS = 120;

    private final Path work;
    private int runs;

    HeadlessChromium(Path work) {
        this.work = work;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** The serialised DOM of {@code url} once its scripts ran for {@link #VIRTUAL_TIME_MS} of virtual time. */
    String dumpDom(String url) throws IOException, InterruptedException {
        return run(url, List.of("--dump-dom"));
    }

    /** A PNG of {@code url} at {@code width}×{@code height}, written to {@code png}. */
    void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        run(url, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, "--hide-scrollbars"));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new IllegalStateException("chromium wrote no screenshot to " + png);
        }
    }

    private String run(String url, List<String> extra) throws IOException, InterruptedException {
        int n = ++runs;
        Path profile = Files.createDirectories(work.resolve("profile-" + n));
        Path err = work.resolve("chromium-" + n + ".log");
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=" + VIRTUAL_TIME_MS));
        cmd.addAll(extra);
        cmd.add(url);
        Path out = work.resolve("chromium-" + n + ".out");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chromium did not finish within " + TIMEOUT_SECONDS + " s; its log: " + err);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
