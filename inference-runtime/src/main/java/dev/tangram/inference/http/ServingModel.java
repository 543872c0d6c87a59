package dev.tangram.inference.http;

import dev.tangram.inference.tokenizer.Tokenizer;

/**
 * What the HTTP side needs of the loaded model.
 *
 * @param name         the model id clients send and see
 * @param tokenizer    its tokenizer
 * @param chatTemplate how chat messages become a prompt
 * @param maxModelLen  the longest sequence served (prompt + completion)
 * @param cacheTokens  tokens the KV cache holds in all (one request cannot use more)
 */
public record ServingModel(String name, Tokenizer tokenizer, ChatTemplate chatTemplate, int maxModelLen, long cacheTokens) {
    /** Throws the 404 {@code model_not_found} a request naming another model gets. */
    void requireServed(String asked) {
        if (!asked.equals(name)) {
            throw new ApiError(404, "invalid_request_error", "The model '" + asked + "' does not exist; this server serves '" + name + "'",
                    "model", "model_not_found");
        }
    }
}
