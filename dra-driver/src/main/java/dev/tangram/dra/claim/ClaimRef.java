package dev.tangram.dra.claim;

import java.util.Objects;

/** What the kubelet hands over for one claim: namespace, UID and name, nothing more. */
public record ClaimRef(String namespace, String uid, String name) {
    public ClaimRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(name, "name");
    }

    /** The first missing field, for an INVALID_ARGUMENT answer; empty when the reference is complete. */
    public java.util.Optional<String> missingField() {
        if (uid.isBlank()) {
            return java.util.Optional.of("uid");
        }
        if (namespace.isBlank()) {
            return java.util.Optional.of("namespace");
        }
        if (name.isBlank()) {
            return java.util.Optional.of("name");
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return namespace + "/" + name + " (" + uid + ")";
    }
}
