package dev.tangram.inference.sampling;

import dev.tangram.inference.kernels.StableMath;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Picks next tokens for one request. Greedy when the temperature is 0 (the lowest id wins a tie); otherwise the logits
 * are cut to the {@code topK} most likely (ties broken by lower id), divided by the temperature, turned into
 * probabilities, cut to those at least {@code minP} times as likely as the likeliest, then to the smallest prefix (most
 * likely first) whose mass reaches {@code topP}, and drawn from with the
 * request's own seeded generator, so the same seed gives the same tokens. The request's {@link LogitRules} (penalties,
 * bias, minimum length) change the logits first. Not thread-safe: one sampler per request.
 *
 * <p>Nothing ranks the whole vocabulary: top-k keeps a heap of k, top-p ranks only the tokens likely enough to be in the
 * nucleus, and with neither the draw walks the tokens in id order (the same distribution). Ranking all 128,256 tokens of
 * a Llama 3 vocabulary took 33 ms a token, half as long as the 1b model's forward pass.
 */
public final class Sampler {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The generator algorithm; named so a seed means the same sequence on every JDK. */
    public static final String ALGORITHM = "L64X128MixRandom";

    private final SamplingParams params;
    private final RandomGenerator random;
    private final LogitAdjuster adjuster;
    /** The tokens drawn from: a prefix, in rank order once ranked. */
    private int[] candidates = new int[0];
    /** {@code exp((logit - max) / temperature)} of each candidate, in the same order. */
    private float[] weights = new float[0];
    private long[] keys = new long[0];
    private float[] rankedWeights = new float[0];

    /** A sampler whose logit rules see no prompt, no end-of-generation tokens and no token texts (for tests and benchmarks). */
    public Sampler(SamplingParams params) {
        this(params, new int[0], new int[0], new byte[0][]);
    }

    /**
     * @param prompt    the request's prompt (the repetition penalty looks at it)
     * @param endTokens the tokens that end generation (masked until {@code min_tokens} are drawn)
     * @param tokenText each token's text as bytes, empty for a control token (for a JSON {@code response_format})
     */
    public Sampler(SamplingParams params, int[] prompt, int[] endTokens, byte[][] tokenText) {
        this.params = params;
        this.random = RandomGeneratorFactory.of(ALGORITHM).create(params.seed());
        this.adjuster = new LogitAdjuster(params.rules(), prompt, endTokens, tokenText);
    }

    public SamplingParams params() {
        return params;
    }

    /** The next token, from the model's logits (left unchanged: the logit rules apply to a copy). */
    public int sample(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to sample from");
        }
        int token = pick(adjuster.apply(logits));
        adjuster.drawn(token);
        return token;
    }

    private int pick(float[] logits) {
        if (params.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        if (candidates.length < n) {
            candidates = new int[n];
            weights = new float[n];
            keys = new long[n];
            rankedWeights = new float[n];
        }
        int m;
        boolean ranked;
        if (params.topK() > 0 && params.topK() < n) {
            m = TokenRanking.topK(logits, params.topK(), keys, candidates);
            ranked = true;
        } else {
            m = n;
            for (int i = 0; i < n; i++) {
                candidates[i] = i;
            }
            ranked = false;
        }
        int best = ranked ? candidates[0] : argmax(logits);
        float max = logits[best];
        if (ranked) {
            for (int i = 0; i < m; i++) {
                weights[i] = (float) Math.exp((logits[candidates[i]] - max) / params.temperature());
            }
        } else {
            weighAll(logits, max);
        }
        if (params.minP() > 0) {
            // the likeliest weighs 1, so a token at least min_p as likely as it weighs at least min_p
            for (int i = 0; i < m; i++) {
                if (weights[i] < params.minP()) {
                    weights[i] = 0;
                }
            }
        }
        double sum = 0;
        for (int i = 0; i < m; i++) {
            sum += weights[i];
        }
        double mass = sum; // what the draw is spread over: all candidates, or the top-p nucleus below
        if (params.topP() < 1f && m > 1) {
            if (!ranked) {
                m = rankLikelyEnough(logits, m, sum, best);
            }
            double cumulative = 0;
            for (int i = 0; i < m; i++) {
                cumulative += weights[i] / sum;
                if (cumulative >= params.topP()) {
                    m = i + 1;
                    break;
                }
            }
            mass = 0;
            for (int i = 0; i < m; i++) {
                mass += weights[i];
            }
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < m; i++) {
            r -= weights[i];
            if (r < 0) {
                return candidates[i];
            }
        }
        return candidates[m - 1];
    }

    /**
     * Ranks, in place, the candidates (all {@code m} tokens, in id order) that can be in the top-p nucleus, and answers how
     * many there are: the best-ranked token {@code best}, and every token of probability at least
     * {@code c = (1 - topP) / (m - 1)}. Any other token is not in the nucleus. Were it the j-th of the ranking, j ≥ 2, and
     * the last the nucleus needs, the tokens before it would hold less than {@code topP}, so it and the {@code m - j}
     * after it more than {@code 1 - topP}; but those {@code m - j + 1 ≤ m - 1} tokens are each under {@code c}, so together
     * under {@code 1 - topP}. (The first-ranked token can be the whole nucleus however unlikely, hence {@code best}.)
     */
    private int rankLikelyEnough(float[] logits, int m, double sum, int best) {
        double cutoff = (1 - params.topP()) / (m - 1) * sum;
        int c = 0;
        for (int i = 0; i < m; i++) {
            if (weights[i] >= cutoff || i == best) {
                keys[c++] = TokenRanking.key(logits[i], i);
            }
        }
        Arrays.sort(keys, 0, c);
        for (int j = 0; j < c; j++) {
            int id = TokenRanking.id(keys[j]);
            candidates[j] = id;
            rankedWeights[j] = weights[id];
        }
        System.arraycopy(rankedWeights, 0, weights, 0, c);
        return c;
    }

    /**
     * {@code exp((logit - max) / temperature)} of every token, in id order: the vocabulary's worth, so vectorised, and
     * with the same bits in every JIT tier ({@link StableMath}), so that a seed draws the same tokens whenever it runs.
     */
    private void weighAll(float[] logits, float max) {
        FloatVector top = FloatVector.broadcast(F, max);
        FloatVector temperature = FloatVector.broadcast(F, params.temperature());
        int i = 0;
        for (int end = F.loopBound(logits.length); i < end; i += F.length()) {
            StableMath.exp(FloatVector.fromArray(F, logits, i).sub(top).div(temperature)).intoArray(weights, i);
        }
        for (; i < logits.length; i++) {
            weights[i] = StableMath.exp((logits[i] - max) / params.temperature());
        }
    }

    /** Index of the largest logit, the lowest index on a tie. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
