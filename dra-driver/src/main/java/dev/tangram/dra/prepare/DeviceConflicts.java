package dev.tangram.dra.prepare;

import dev.tangram.dra.device.DeviceTarget;

import java.util.List;
import java.util.Optional;

/**
 * The driver as the last line of defence against double allocation (a pure function): a device prepared for one claim
 * may be prepared for another only when both got it with a share id; a whole GPU excludes its MIG partitions and
 * overlapping MIG placements exclude each other.
 */
public final class DeviceConflicts {
    /** A device some other claim holds. */
    public record Held(String claimUid, String deviceName, DeviceTarget target, boolean shared) {
    }

    private DeviceConflicts() {
    }

    /** The first conflict of {@code wanted} with what other claims hold, as a message; empty when there is none. */
    public static Optional<String> find(List<PlannedDevice> wanted, List<Held> held) {
        for (PlannedDevice w : wanted) {
            for (Held h : held) {
                if (!w.target().gpu().uuid().equals(h.target().gpu().uuid())) {
                    continue;
                }
                boolean sameDevice = w.deviceName().equals(h.deviceName());
                if (sameDevice && w.shareId().isPresent() && h.shared()) {
                    continue;
                }
                if (sameDevice || overlaps(w.target(), h.target())) {
                    return Optional.of("device " + w.deviceName() + " conflicts with " + h.deviceName()
                            + ", already prepared for claim " + h.claimUid());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean overlaps(DeviceTarget a, DeviceTarget b) {
        if (a instanceof DeviceTarget.MigPartition pa && b instanceof DeviceTarget.MigPartition pb) {
            int aEnd = pa.placementStart() + pa.profile().placementSize();
            int bEnd = pb.placementStart() + pb.profile().placementSize();
            return pa.placementStart() < bEnd && pb.placementStart() < aEnd;
        }
        return true; // a whole GPU and anything else on the same GPU
    }
}
