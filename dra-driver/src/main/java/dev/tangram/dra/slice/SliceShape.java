package dev.tangram.dra.slice;

/**
 * Where counter sets go. Kubernetes 1.34 wants them in the slice of the devices that consume them; from 1.35 a slice
 * holds either devices or counter sets, never both.
 */
public enum SliceShape {
    COUNTERS_BESIDE_DEVICES,
    COUNTERS_IN_OWN_SLICES;

    /** The shape a server of this version needs: 1.34 and older beside, 1.35 and newer apart. */
    public static SliceShape forServer(int major, int minor) {
        return major > 1 || minor >= 35 ? COUNTERS_IN_OWN_SLICES : COUNTERS_BESIDE_DEVICES;
    }

    /** {@code 1.34}, {@code 1.35} (any later version means the 1.35 shape), or {@code auto} is handled by the caller. */
    public static SliceShape parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("slice shape must be a Kubernetes version like 1.34 or 1.35, got '" + text + "'");
        }
        try {
            return forServer(Integer.parseInt(parts[0]), Integer.parseInt(parts[1].replaceAll("\\D.*$", "")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("slice shape must be a Kubernetes version like 1.34 or 1.35, got '" + text + "'");
        }
    }
}
