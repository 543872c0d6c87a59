package dev.tangram.inference.http;

import dev.tangram.inference.sampling.SamplingParams;

import java.util.List;

/**
 * One completion or chat request, checked.
 *
 * @param chat         whether it came to /v1/chat/completions
 * @param model        the model the client named, or null
 * @param prompts      the completion prompts, one or several (none for chat)
 * @param messages     chat messages (chat only)
 * @param n            how many choices to generate for the prompt
 * @param maxTokens    the client's max_tokens, or null for the default
 * @param sampling     temperature, top_k, top_p, seed, and the logit rules (penalties, logit_bias, min_tokens)
 * @param stream       whether to answer with server-sent events
 * @param includeUsage whether a streamed answer ends with a usage chunk ({@code stream_options.include_usage})
 * @param text         how tokens become text: stop sequences and tokens, special tokens
 * @param ignoreEos    vLLM's {@code ignore_eos}: generate past the end-of-generation token, up to {@code max_tokens}
 * @param logprobs     how many alternatives to report with each token's log-probability; -1 for no log-probabilities
 * @param tokensAsIds  vLLM's {@code return_tokens_as_token_ids}: name the tokens of the log-probabilities
 *                     {@code "token_id:N"} instead of by their text
 * @param echo         completions only: put the prompt before the completion (with its log-probabilities where
 *                     {@code logprobs} is set); {@code max_tokens} may then be 0
 * @param tools        chat only: the function the answer calls or the functions it may call, or null for a message
 * @param enableThinking chat only: vLLM's {@code chat_template_kwargs.enable_thinking}, or null where the request does
 *                     not say (the template's default)
 * @param reasoningFormat chat only: llama.cpp's {@code reasoning_format}, or null where the request does not say (the
 *                     server's)
 * @param reasoningEffort chat only: OpenAI's {@code reasoning_effort} (low, medium or high), which a Harmony model's system
 *                     message states; null where the request does not say
 */
public record CompletionParams(boolean chat, String model, List<Prompt> prompts, List<ChatTemplate.Message> messages,
                               int n, Integer maxTokens, SamplingParams sampling, boolean stream, boolean includeUsage, TextRules text,
                               boolean ignoreEos, int logprobs, boolean tokensAsIds, boolean echo,
                               Tools tools, Boolean enableThinking, ReasoningFormat reasoningFormat, String reasoningEffort) {
    /** One completions prompt: as text, or as token ids (the other null). */
    public record Prompt(String text, int[] tokens) {
    }
}
