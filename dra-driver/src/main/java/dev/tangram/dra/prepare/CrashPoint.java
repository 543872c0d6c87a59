package dev.tangram.dra.prepare;

import java.util.Locale;
import java.util.Optional;

/**
 * The named steps of prepare and unprepare at which a test may make the process die at once ({@code Runtime.halt}, as a SIGKILL
 * would), set by the environment variable {@code TANGRAM_DRA_CRASH_AT=<step>}. Unset in production: nothing happens.
 */
public enum CrashPoint {
    AFTER_PREPARE_STARTED,
    AFTER_MIG_CREATE,
    AFTER_MIG_RECORDED,
    AFTER_CDI_WRITE,
    AFTER_PREPARE_COMPLETED,
    AFTER_UNPREPARE_STARTED,
    AFTER_UNPREPARE_MIG_DESTROY;

    public static final String ENV = "TANGRAM_DRA_CRASH_AT";
    public static final int EXIT_CODE = 137;

    /** {@code after-cdi-write}. */
    public String step() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<CrashPoint> parse(String step) {
        if (step == null || step.isBlank()) {
            return Optional.empty();
        }
        for (CrashPoint p : values()) {
            if (p.step().equals(step.trim())) {
                return Optional.of(p);
            }
        }
        throw new IllegalArgumentException(ENV + " names no step of prepare or unprepare: '" + step + "'");
    }

    /** Halts the JVM when {@code armed} is this point. */
    public void reachedWith(Optional<CrashPoint> armed) {
        if (armed.isPresent() && armed.get() == this) {
            System.err.println("tangram dra-driver: " + ENV + "=" + step() + " reached, halting");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
