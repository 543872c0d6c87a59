package dev.tangram.core.probe;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a GPU.
 *
 * @param kind    what happened
 * @param gpuUuid the GPU it happened to
 * @param xid     the Xid code for {@link Kind#XID}, else 0
 * @param detail  free text for logs
 * @param at      when the probe saw it
 */
public record GpuEvent(Kind kind, String gpuUuid, int xid, String detail, Instant at) {
    public enum Kind {
        /** An Xid error reported by the driver. */
        XID,
        /** The GPU is gone from the bus or NVML. */
        GPU_LOST,
        /** The GPU answers normally again (a simulated probe injects this; NVML has no such event). */
        RECOVERED
    }

    public GpuEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(gpuUuid, "gpuUuid");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
    }

    public static GpuEvent xid(String gpuUuid, int xid, Instant at) {
        return new GpuEvent(Kind.XID, gpuUuid, xid, "Xid " + xid, at);
    }

    public static GpuEvent lost(String gpuUuid, Instant at) {
        return new GpuEvent(Kind.GPU_LOST, gpuUuid, 0, "GPU lost", at);
    }

    public static GpuEvent recovered(String gpuUuid, Instant at) {
        return new GpuEvent(Kind.RECOVERED, gpuUuid, 0, "recovered", at);
    }
}
