package dev.tangram.deviceplugin.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * @param ignoredXids Xids that do not make a GPU unhealthy (application faults, not device faults)
 * @param quietPeriod how long a GPU must stay free of bad events, and be reported well, before it is healthy again
 */
public record HealthConfig(Set<Integer> ignoredXids, Duration quietPeriod) {
    public static final Set<Integer> DEFAULT_IGNORED_XIDS = Set.of(13, 31, 43, 45, 68, 109);
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMinutes(5);

    public HealthConfig {
        ignoredXids = Set.copyOf(ignoredXids);
        Objects.requireNonNull(quietPeriod, "quietPeriod");
    }

    public static HealthConfig defaults() {
        return new HealthConfig(DEFAULT_IGNORED_XIDS, DEFAULT_QUIET_PERIOD);
    }
}
