package dev.tangram.sim;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A one-line progress bar on a terminal stream: done/total pods, percent, elapsed seconds. Redrawn at most 10 times a second. */
final class ProgressBar {
    private final PrintStream out;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final long start = System.nanoTime();
    private volatile long lastDraw;

    ProgressBar(PrintStream out, long total) {
        this.out = out;
        this.total = Math.max(1, total);
    }

    void advance(int pods) {
        long d = done.addAndGet(pods);
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L || d >= total) {
            lastDraw = now;
            draw(d, now);
        }
    }

    private synchronized void draw(long d, long now) {
        int width = 40;
        int filled = (int) Math.min(width, d * width / total);
        out.printf("\r[%s%s] %3d%% %,d/%,d pods %.1fs", "#".repeat(filled), " ".repeat(width - filled), d * 100 / total, d, total,
                (now - start) / 1e9);
        out.flush();
    }

    void finish() {
        draw(done.get(), System.nanoTime());
        out.println();
    }
}
