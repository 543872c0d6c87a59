package dev.tangram.deviceplugin.allocation;

/** An Allocate request that cannot be honoured as asked (unknown or duplicate IDs, ...); the message names the IDs. */
public final class AllocationException extends RuntimeException {
    public AllocationException(String message) {
        super(message);
    }
}
