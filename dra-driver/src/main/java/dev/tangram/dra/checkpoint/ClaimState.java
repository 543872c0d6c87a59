package dev.tangram.dra.checkpoint;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a claim's prepare stands on disk. */
public enum ClaimState {
    /**
     * Prepare began, or an unprepare began: what the claim made may be incomplete, and a restart rolls it back (an
     * unprepare then finishes on restart).
     */
    PREPARE_STARTED("PrepareStarted"),
    /** Prepare finished; the claim's CDI spec and MIG devices exist. */
    PREPARE_COMPLETED("PrepareCompleted");

    private final String wire;

    ClaimState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static ClaimState parse(String text) {
        for (ClaimState s : values()) {
            if (s.wire.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown claim state '" + text + "'");
    }
}
