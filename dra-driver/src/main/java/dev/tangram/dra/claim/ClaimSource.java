package dev.tangram.dra.claim;

/** Where the driver reads ResourceClaims: the Kubernetes API, or nothing when none is configured. */
public interface ClaimSource {
    /**
     * The claim's current allocation, after checking that it still has the UID the kubelet named and is allocated.
     *
     * @throws ClaimLookupException with a message fit for the kubelet when the claim cannot be used
     */
    ClaimAllocation fetch(ClaimRef ref);

    /** Used when no Kubernetes API is configured: every claim gets the same clear error. */
    static ClaimSource unavailable(String why) {
        return ref -> {
            throw new ClaimLookupException("Kubernetes API unavailable: " + why + "; cannot read ResourceClaim " + ref);
        };
    }
}
