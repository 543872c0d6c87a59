package dev.tangram.dra.checkpoint;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The driver's state on disk: a version, the boot ID of the node when it was written, and every claim it prepared or is
 * preparing. Immutable; each transition answers a new checkpoint.
 */
public record Checkpoint(int version, String nodeBootId, Map<String, ClaimEntry> claims) {
    public static final int CURRENT_VERSION = 1;

    public Checkpoint {
        Objects.requireNonNull(nodeBootId, "nodeBootId");
        claims = Collections.unmodifiableMap(new TreeMap<>(claims == null ? Map.of() : claims));
        for (var e : claims.entrySet()) {
            if (!e.getKey().equals(e.getValue().uid())) {
                throw new IllegalArgumentException("checkpoint key " + e.getKey() + " holds claim " + e.getValue().uid());
            }
        }
    }

    public static Checkpoint empty(String bootId) {
        return new Checkpoint(CURRENT_VERSION, bootId, Map.of());
    }

    public Optional<ClaimEntry> claim(String uid) {
        return Optional.ofNullable(claims.get(uid));
    }

    public List<ClaimEntry> inState(ClaimState state) {
        return claims.values().stream().filter(c -> c.state() == state).toList();
    }

    /** Records the start of a prepare; a claim already present is replaced. */
    public Checkpoint started(ClaimEntry entry) {
        if (entry.state() != ClaimState.PREPARE_STARTED) {
            throw new IllegalArgumentException("a new claim entry starts as PrepareStarted");
        }
        return with(entry);
    }

    public Checkpoint migCreated(String uid, String device, String migUuid) {
        return with(require(uid).withMigCreated(device, migUuid));
    }

    public Checkpoint completed(String uid) {
        ClaimEntry entry = require(uid);
        if (entry.state() != ClaimState.PREPARE_STARTED) {
            throw new IllegalStateException("claim " + uid + " is " + entry.state().wire() + ", not PrepareStarted");
        }
        return with(entry.withState(ClaimState.PREPARE_COMPLETED));
    }

    /**
     * Records the start of an unprepare: the claim goes back to PrepareStarted, whose meaning on disk is "what this
     * claim made may be incomplete; roll it back on restart".
     */
    public Checkpoint unprepareStarted(String uid) {
        return with(require(uid).withState(ClaimState.PREPARE_STARTED));
    }

    public Checkpoint without(String uid) {
        TreeMap<String, ClaimEntry> next = new TreeMap<>(claims);
        next.remove(uid);
        return new Checkpoint(version, nodeBootId, next);
    }

    public Checkpoint withBootId(String bootId) {
        return new Checkpoint(version, bootId, claims);
    }

    private ClaimEntry require(String uid) {
        ClaimEntry entry = claims.get(uid);
        if (entry == null) {
            throw new IllegalStateException("claim " + uid + " is not in the checkpoint");
        }
        return entry;
    }

    private Checkpoint with(ClaimEntry entry) {
        TreeMap<String, ClaimEntry> next = new TreeMap<>(claims);
        next.put(entry.uid(), entry);
        return new Checkpoint(version, nodeBootId, next);
    }
}
