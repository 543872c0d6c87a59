package dev.tangram.inference.http;

/** An answer's token counts: each prompt once, every choice's completion. */
record Usage(int prompt, int completion, int cached) {
    /** {@code outcomes} of the choices, {@code samples} per prompt (the first of each counts its prompt). */
    static Usage of(AnswerDrain.Outcome[] outcomes, int samples) {
        int prompt = 0;
        int completion = 0;
        int cached = 0;
        for (int c = 0; c < outcomes.length; c++) {
            completion += outcomes[c].completionTokens();
            if (c % samples == 0) {
                prompt += outcomes[c].completion().promptTokens();
                cached += outcomes[c].completion().cachedTokens();
            }
        }
        return new Usage(prompt, completion, cached);
    }
}
