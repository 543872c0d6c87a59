package dev.tangram.demo;

import java.io.PrintStream;

/** The demo's narration: one readable line per step, with the seconds since the start. */
public final class DemoLog {
    private final PrintStream out;
    private final long started = System.nanoTime();

    public DemoLog(PrintStream out) {
        this.out = out;
    }

    public void step(String format, Object... args) {
        out.printf("[%5.1fs] %s%n", (System.nanoTime() - started) / 1e9, String.format(format, args));
        out.flush();
    }

    public void detail(String format, Object... args) {
        out.printf("         %s%n", String.format(format, args));
        out.flush();
    }

    public void banner(String text) {
        out.println();
        out.println("== " + text + " ==");
        out.flush();
    }
}
