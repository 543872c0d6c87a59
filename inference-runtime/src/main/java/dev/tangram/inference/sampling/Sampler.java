package dev.tangram.inference.sampling;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks next tokens for one request. Greedy when the temperature is 0 (the lowest id wins a tie); otherwise the logits
 * are cut to the {@code topK} most likely (ties broken by lower id), divided by the temperature, turned into
 * probabilities, cut to the smallest prefix whose mass reaches {@code topP}, and drawn from with the request's own
 * seeded generator, so the same seed gives the same tokens. Not thread-safe: one sampler per request.
 */
public final class Sampler {
    /** The generator algorithm; named so a seed means the same sequence on every JDK. */
    public static final String ALGORITHM = "L64X128MixRandom";

    private final SamplingParams params;
    private final RandomGenerator random;
    private Integer[] order = new Integer[0];
    private float[] probs = new float[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = RandomGeneratorFactory.of(ALGORITHM).create(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    public int sample(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to sample from");
        }
        if (params.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        if (order.length < n) {
            order = new Integer[n];
            probs = new float[n];
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, 0, n, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int k = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        double max = logits[order[0]];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            double e = Math.exp((logits[order[i]] - max) / params.temperature());
            probs[i] = (float) e;
            sum += e;
        }
        int keep = k;
        if (params.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < k; i++) {
                cumulative += probs[i] / sum;
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += probs[i];
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < keep; i++) {
            r -= probs[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
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
