package dev.tangram.deviceplugin.resources;

/** What an advertised device ID stands for. */
public enum DeviceKind {
    /** A whole GPU. */
    GPU,
    /** A MIG device. */
    MIG,
    /** One time-sliced or MPS replica of a whole GPU. */
    REPLICA
}
