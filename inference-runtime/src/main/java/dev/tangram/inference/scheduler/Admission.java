package dev.tangram.inference.scheduler;

/** The outcome of submitting a request. */
public sealed interface Admission {
    /** Queued; tokens will reach the sink. */
    record Queued() implements Admission {
    }

    /** The waiting queue is full: try again later (HTTP 429). */
    record Overloaded(String reason) implements Admission {
    }

    /** The request can never be served by this server (HTTP 400). */
    record Invalid(String reason) implements Admission {
    }
}
