package dev.tangram.inference.scheduler;

/** What the scheduler reports as it goes; the no-op default keeps the core free of any metrics library. */
public interface SchedulerMetrics {
    SchedulerMetrics NONE = new SchedulerMetrics() {
    };

    default void promptTokens(int n) {
    }

    default void generationTokens(int n) {
    }

    /** Prompt tokens looked up in the prefix cache, and how many of them were found. */
    default void prefixCache(int queried, int hits) {
    }

    default void preemption() {
    }

    default void timeToFirstToken(double seconds) {
    }

    default void interTokenLatency(double seconds) {
    }

    default void requestFinished(FinishedRequest request) {
    }
}
