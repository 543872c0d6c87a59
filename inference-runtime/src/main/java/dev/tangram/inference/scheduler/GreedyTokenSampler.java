package dev.tangram.inference.scheduler;

/** The most likely token; ties go to the lowest id, so greedy decoding is deterministic. */
public final class GreedyTokenSampler implements TokenSampler {
    @Override
    public int sample(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
