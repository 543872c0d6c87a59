package dev.tangram.inference.model;

/**
 * The router of a mixture of experts, as llama.cpp's softmax gating with normalised weights routes a token: the softmax
 * of the router's logits, the {@code used} likeliest experts (the lower index first between equals), and their
 * probabilities divided by their sum. (llama.cpp keeps that sum at least 2<sup>-14</sup>; the likeliest {@code used}
 * of {@code count} probabilities sum to at least {@code used / count}, so its floor never bites here.) A pure function.
 */
public final class ExpertRouter {
    private ExpertRouter() {}

    /**
     * Routes one token: {@code logits[lo .. lo + count)} are the router's logits; the chosen experts, likeliest first, go
     * to {@code experts[o .. o + used)} and their weights to {@code weights[o .. o + used)}.
     */
    public static void route(float[] logits, int lo, int count, int used, int[] experts, float[] weights, int o) {
        if (used < 1 || used > count) {
            throw new IllegalArgumentException("a token goes through 1 to " + count + " experts, not " + used);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < count; e++) {
            max = Math.max(max, logits[lo + e]);
        }
        double total = 0;
        for (int e = 0; e < count; e++) {
            total += Math.exp(logits[lo + e] - max);
        }
        double chosenSum = 0;
        for (int k = 0; k < used; k++) {
            int best = -1;
            for (int e = 0; e < count; e++) {
                if (!taken(experts, o, k, e) && (best < 0 || logits[lo + e] > logits[lo + best])) {
                    best = e;
                }
            }
            experts[o + k] = best;
            float p = (float) (Math.exp(logits[lo + best] - max) / total);
            weights[o + k] = p;
            chosenSum += p;
        }
        float sum = (float) chosenSum;
        for (int k = 0; k < used; k++) {
            weights[o + k] /= sum;
        }
    }

    private static boolean taken(int[] experts, int o, int k, int e) {
        for (int j = 0; j < k; j++) {
            if (experts[o + j] == e) {
                return true;
            }
        }
        return false;
    }
}
