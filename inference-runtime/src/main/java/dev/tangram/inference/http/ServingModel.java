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
}
