package dev.tangram.inference.http;

import dev.tangram.inference.tokenizer.Tokenizer;

import java.util.List;

/**
 * A prompt as the completions API's {@code echo} returns it: its text, decoded from its tokens (so that each token's
 * offset points into it), and where each token's text starts. The BOS token adds no text, as in a decoded prompt.
 *
 * @param tokens  the prompt's tokens
 * @param text    their text
 * @param offsets where each token's text starts in {@code text}
 */
record PromptEcho(int[] tokens, String text, int[] offsets) {
    static PromptEcho of(Tokenizer tokenizer, int[] prompt) {
        TextAssembler text = new TextAssembler(tokenizer, TextRules.NONE);
        int[] offsets = new int[prompt.length];
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < prompt.length; i++) {
            offsets[i] = text.length();
            if (prompt[i] != tokenizer.bos()) {
                out.append(text.add(prompt[i]));
            }
        }
        out.append(text.flush());
        return new PromptEcho(prompt, out.toString(), offsets);
    }
}
