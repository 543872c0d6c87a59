package dev.tangram.core.model;

import java.util.Objects;

/** Health of a device: healthy, or unhealthy with the reason (an Xid, "GPU lost", ...). */
public record Health(boolean healthy, String reason) {
    public static final Health HEALTHY = new Health(true, "");

    public Health {
        Objects.requireNonNull(reason, "reason");
        if (!healthy && reason.isBlank()) {
            throw new IllegalArgumentException("an unhealthy device needs a reason");
        }
    }

    public static Health unhealthy(String reason) {
        return new Health(false, reason);
    }

    /** The kubelet's spelling: "Healthy" or "Unhealthy". */
    public String kubeletValue() {
        return healthy ? "Healthy" : "Unhealthy";
    }
}
