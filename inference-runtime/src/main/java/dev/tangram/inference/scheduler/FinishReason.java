package dev.tangram.inference.scheduler;

/** Why a request stopped. */
public enum FinishReason {
    /** The model produced an end-of-generation token (or a stop sequence matched). */
    STOP("stop"),
    /** max_tokens or the context length was reached. */
    LENGTH("length"),
    /** The client went away or cancelled. */
    CANCELLED("cancelled"),
    /** The forward pass failed. */
    ERROR("error");

    private final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }

    /** The {@code finish_reason} value of the OpenAI API. */
    public String openAiName() {
        return openAiName;
    }
}
