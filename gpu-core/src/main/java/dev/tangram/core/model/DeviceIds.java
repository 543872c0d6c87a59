package dev.tangram.core.model;

/**
 * The device IDs Tangram advertises to the kubelet: a whole GPU is its UUID, a MIG device its MIG UUID, and a shared
 * replica {@code <gpu uuid>::<n>} so that the ID names its GPU.
 */
public final class DeviceIds {
    public static final String REPLICA_SEPARATOR = "::";

    private DeviceIds() {
    }

    public static String replica(String gpuUuid, int replica) {
        if (replica < 0) {
            throw new IllegalArgumentException("replica number must not be negative: " + replica);
        }
        return gpuUuid + REPLICA_SEPARATOR + replica;
    }

    public static boolean isReplica(String id) {
        return id.contains(REPLICA_SEPARATOR);
    }

    /** The GPU (or MIG device) a device ID stands for: the ID itself, or a replica's GPU UUID. */
    public static String physical(String id) {
        int at = id.indexOf(REPLICA_SEPARATOR);
        return at < 0 ? id : id.substring(0, at);
    }

    /** The replica number of a replica ID; an ID that is no replica is an error naming it. */
    public static int replicaNumber(String id) {
        int at = id.indexOf(REPLICA_SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("'" + id + "' is not a replica ID (<uuid>::<n>)");
        }
        try {
            return Integer.parseInt(id.substring(at + REPLICA_SEPARATOR.length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + id + "' is not a replica ID (<uuid>::<n>)");
        }
    }
}
