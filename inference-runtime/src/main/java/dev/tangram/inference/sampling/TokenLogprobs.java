package dev.tangram.inference.sampling;

import dev.tangram.inference.kernels.StableMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The log-probability of a drawn token and of the most likely alternatives, under the model's own distribution
 * ({@code log_softmax} of the logits, before temperature, penalties or bias, as vLLM reports them by default).
 *
 * @param token     the token drawn
 * @param logprob   its log-probability
 * @param top       the most likely tokens, best first (lower id first on a tie)
 * @param topLogprobs their log-probabilities
 */
public record TokenLogprobs(int token, float logprob, int[] top, float[] topLogprobs) {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The most alternatives asked for: vLLM's default {@code max_logprobs}. */
    public static final int MAX_TOP = 20;

    /** A token nothing predicts (a prompt's first): its log-probability is NaN and it has no alternatives. */
    public static TokenLogprobs unscored(int token) {
        return new TokenLogprobs(token, Float.NaN, new int[0], new float[0]);
    }

    /** Whether this is {@link #unscored(int)}. */
    public boolean isUnscored() {
        return Float.isNaN(logprob);
    }

    /** The log-probabilities of {@code token} and of the {@code k} most likely tokens, from the model's logits. */
    public static TokenLogprobs of(float[] logits, int token, int k) {
        if (k < 0 || k > MAX_TOP) {
            throw new IllegalArgumentException("between 0 and " + MAX_TOP + " alternatives, got " + k);
        }
        float logZ = logNormalizer(logits);
        int[] top = new int[Math.min(k, logits.length)];
        int m = top.length == 0 ? 0 : TokenRanking.topK(logits, top.length, new long[top.length], top);
        float[] topLogprobs = new float[m];
        for (int i = 0; i < m; i++) {
            topLogprobs[i] = logits[top[i]] - logZ;
        }
        return new TokenLogprobs(token, logits[token] - logZ, top, topLogprobs);
    }

    /**
     * {@code log(sum(exp(logits)))}, computed from the largest logit so nothing overflows, with the same bits in every JIT
     * tier ({@link StableMath}).
     */
    static float logNormalizer(float[] logits) {
        int n = logits.length;
        int bound = F.loopBound(n);
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += F.length()) {
            maxes = maxes.max(FloatVector.fromArray(F, logits, i));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, logits[i]);
        }
        FloatVector top = FloatVector.broadcast(F, max);
        FloatVector sums = FloatVector.zero(F);
        i = 0;
        for (; i < bound; i += F.length()) {
            sums = sums.add(StableMath.exp(FloatVector.fromArray(F, logits, i).sub(top)));
        }
        double sum = StableMath.sum(sums);
        for (; i < n; i++) {
            sum += StableMath.exp(logits[i] - max);
        }
        return (float) (max + Math.log(sum));
    }
}
