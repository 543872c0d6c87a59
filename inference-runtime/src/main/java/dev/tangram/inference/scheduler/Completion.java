package dev.tangram.inference.scheduler;

/**
 * The end of a request.
 *
 * @param reason           why it stopped
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (an end-of-generation token included)
 * @param cachedTokens     prompt tokens served from the prefix cache at its (last) admission
 * @param preemptions      times it was preempted and recomputed
 * @param error            what went wrong when {@code reason} is ERROR, else null
 */
public record Completion(FinishReason reason, int promptTokens, int completionTokens, int cachedTokens, int preemptions,
                         String error) {
}
