package dev.tangram.dra.device;

import java.util.Objects;

/** A device taint (KEP-5055): the scheduler keeps new claims off the device unless they tolerate it. */
public record DeviceTaint(String key, String value, String effect) {
    public static final String NO_SCHEDULE = "NoSchedule";

    public DeviceTaint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(effect, "effect");
    }
}
