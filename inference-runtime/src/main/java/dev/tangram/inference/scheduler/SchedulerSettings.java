package dev.tangram.inference.scheduler;

/**
 * Limits of the scheduler.
 *
 * @param maxBatchTokens tokens one forward step may carry (decodes count one each; prefill chunks fill the rest)
 * @param maxRunning     sequences in the running batch at most
 * @param maxWaiting     requests queued for admission at most; beyond, submissions are refused (HTTP 429)
 * @param maxModelLen    longest sequence (prompt + generated) served
 */
public record SchedulerSettings(int maxBatchTokens, int maxRunning, int maxWaiting, int maxModelLen) {
    public SchedulerSettings {
        if (maxBatchTokens < 1 || maxRunning < 1 || maxWaiting < 0 || maxModelLen < 2) {
            throw new IllegalArgumentException("scheduler limits must be positive: " + this);
        }
    }
}
