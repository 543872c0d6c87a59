package dev.tangram.inference.scheduler;

/**
 * How one request went, for the metrics: where its time went and its sizes.
 *
 * @param reason           why it ended
 * @param e2eSeconds       arrival to end
 * @param queueSeconds     arrival to its first scheduling (all of it where it never ran)
 * @param prefillSeconds   first scheduling to first token
 * @param decodeSeconds    first token to end
 * @param promptTokens     tokens of its prompt
 * @param generationTokens tokens it generated
 * @param maxTokens        its {@code max_tokens}
 */
public record FinishedRequest(FinishReason reason, double e2eSeconds, double queueSeconds, double prefillSeconds, double decodeSeconds,
                              int promptTokens, int generationTokens, int maxTokens) {
    /** Time in the running batch: prefill and decode. */
    public double inferenceSeconds() {
        return prefillSeconds + decodeSeconds;
    }
}
