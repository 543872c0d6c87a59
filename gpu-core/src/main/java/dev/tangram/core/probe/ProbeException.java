package dev.tangram.core.probe;

import java.util.Objects;

/** A failure to read or change the GPUs, typed so that callers can act on it (retry, mark unhealthy, give up). */
public final class ProbeException extends RuntimeException {
    public enum Kind {
        /** libnvidia-ml.so.1 (or the node description) cannot be found. */
        LIBRARY_NOT_FOUND,
        /** The library loaded but the kernel driver is not running. */
        DRIVER_NOT_LOADED,
        /** The GPU fell off the bus or stopped answering. */
        GPU_LOST,
        /** The GPU or driver does not support the operation. */
        NOT_SUPPORTED,
        NO_PERMISSION,
        INVALID_ARGUMENT,
        /** Not enough free resources (e.g. no room for a MIG instance). */
        INSUFFICIENT_RESOURCES,
        NOT_FOUND,
        TIMEOUT,
        UNKNOWN
    }

    private final Kind kind;
    private final int code;

    public ProbeException(Kind kind, String message) {
        this(kind, -1, message, null);
    }

    public ProbeException(Kind kind, int code, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** The underlying return code (an NVML return value), or -1. */
    public int code() {
        return code;
    }
}
