package dev.tangram.extender.state;

/** What the gang rules say about one member at filter time. */
public sealed interface GangVerdict {
    /** The member goes to {@code node}, where its devices are reserved. */
    record Planned(String node) implements GangVerdict {
    }

    /** The gang cannot be placed whole now; nothing is held. */
    record Rejected(String reason) implements GangVerdict {
    }
}
