package dev.tangram.extender;

import java.time.Duration;

/** What the extender reports about itself; the Micrometer adapter lives in {@code .metrics}, tests use {@link #NONE}. */
public interface ExtenderMetrics {
    /** One request of {@code verb} took {@code elapsed} and ended with {@code outcome} (ok, bad-request, error). */
    void request(String verb, String outcome, Duration elapsed);

    /** A node passed filter, or a bind succeeded: {@code verb} + decision ("passed", "bound", ...). */
    void decision(String verb, String decision, long count);

    /** A rejection, by verb and a short reason class. */
    void rejection(String verb, String reason, long count);

    ExtenderMetrics NONE = new ExtenderMetrics() {
        @Override
        public void request(String verb, String outcome, Duration elapsed) {
        }

        @Override
        public void decision(String verb, String decision, long count) {
        }

        @Override
        public void rejection(String verb, String reason, long count) {
        }
    };
}
