package dev.tangram.dra.claim;

/** A claim cannot be prepared; the message goes to the kubelet as the claim's error. */
public final class ClaimLookupException extends RuntimeException {
    public ClaimLookupException(String message) {
        super(message);
    }

    public ClaimLookupException(String message, Throwable cause) {
        super(message, cause);
    }
}
