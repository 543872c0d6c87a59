package dev.tangram.inference.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 2.5f, -1f, 3f, 0f};

    @Test
    void greedyTakesTheLargestLogitAndTheLowestIdOnATie() {
        assertThat(new Sampler(SamplingParams.GREEDY).sample(LOGITS)).isEqualTo(1);
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOtherTokens() {
        SamplingParams p = new SamplingParams(1.0f, 0, 1f, 1234);
        int[] a = draw(new Sampler(p), 50);
        int[] b = draw(new Sampler(p), 50);
        int[] c = draw(new Sampler(new SamplingParams(1.0f, 0, 1f, 99)), 50);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void topKKeepsOnlyTheKMostLikelyTokens() {
        Set<Integer> seen = seen(new Sampler(new SamplingParams(5f, 2, 1f, 7)), 300);
        assertThat(seen).containsExactlyInAnyOrder(1, 4);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // at temperature 1: p(1) = p(4) ≈ 0.34, p(2) ≈ 0.21: 0.5 needs tokens 1 and 4, 0.9 adds 2
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.5f, 7)), 300)).containsExactlyInAnyOrder(1, 4);
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.85f, 7)), 300)).containsExactlyInAnyOrder(1, 4, 2);
    }

    @Test
    void minPKeepsTheTokensAtLeastThatFractionAsLikelyAsTheLikeliest() {
        // relative to tokens 1 and 4: token 2 0.61, token 0 0.14, token 5 0.05, token 3 0.02
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 1f, 7, LogitRules.NONE, 0.5f)), 400)).containsExactlyInAnyOrder(1, 4, 2);
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 1f, 7, LogitRules.NONE, 0.1f)), 600)).containsExactlyInAnyOrder(1, 4, 2, 0);
        // with top-k and top-p too: top-k 5 drops token 3, min_p 0.1 drops token 5, top-p 0.9 then keeps 1, 4 and 2
        assertThat(seen(new Sampler(new SamplingParams(1f, 5, 0.9f, 7, LogitRules.NONE, 0.1f)), 600)).containsExactlyInAnyOrder(1, 4, 2);
    }

    @Test
    void lowTemperatureConcentratesOnTheLikeliestTokens() {
        assertThat(seen(new Sampler(new SamplingParams(0.01f, 0, 1f, 3)), 200)).isSubsetOf(1, 4);
        assertThat(seen(new Sampler(new SamplingParams(100f, 0, 1f, 3)), 400)).hasSize(LOGITS.length);
    }

    @Test
    void drawsOverTheWholeVocabularyFollowTheSoftmax() {
        Random rnd = new Random(5);
        float[] logits = new float[64];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) rnd.nextGaussian();
        }
        double[] p = softmax(logits, 0.8);
        Sampler s = new Sampler(new SamplingParams(0.8f, 0, 1f, 11));
        int draws = 40_000;
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[s.sample(logits)]++;
        }
        for (int t = 0; t < logits.length; t++) {
            assertThat((double) counts[t] / draws).as("token %d", t).isCloseTo(p[t], within(0.01));
        }
    }

    @Test
    void topKAndTopPDrawTheSameTokensAsRankingTheWholeVocabulary() {
        Random rnd = new Random(9);
        float[] logits = new float[3000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (rnd.nextGaussian() * 2);
        }
        logits[17] = logits[2001]; // a tie, broken by the lower id
        List<SamplingParams> params = new java.util.ArrayList<>(List.of(new SamplingParams(0.8f, 40, 0.95f, 3),
                new SamplingParams(1.3f, 500, 1f, 4), new SamplingParams(0.5f, 2999, 0.5f, 5), new SamplingParams(1f, 1, 1f, 6)));
        for (int i = 0; i < 20; i++) {
            params.add(new SamplingParams(0.1f + 3 * rnd.nextFloat(), 1 + rnd.nextInt(logits.length - 1),
                    rnd.nextBoolean() ? 1f : 0.01f + 0.99f * rnd.nextFloat(), rnd.nextLong()));
        }
        for (SamplingParams p : params) {
            Sampler fast = new Sampler(p);
            ReferenceSampler reference = new ReferenceSampler(p);
            for (int i = 0; i < 100; i++) {
                assertThat(fast.sample(logits)).as("%s, draw %d", p, i).isEqualTo(reference.sample(logits));
            }
        }
    }

    @Test
    void topPAloneKeepsExactlyTheNucleusOfALargeVocabulary() {
        Random rnd = new Random(13);
        float[] logits = new float[20_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        logits[10] = 15f;
        logits[20] = 14.6f;
        logits[30] = 14.2f;
        logits[40] = 13.9f;
        double[] p = softmax(logits, 1.0);
        // the nucleus of 0.7: the likeliest tokens until their mass reaches 0.7
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        Set<Integer> nucleus = new HashSet<>();
        double mass = 0;
        for (int i = 0; mass < 0.7; i++) {
            nucleus.add(order[i]);
            mass += p[order[i]];
        }
        assertThat(nucleus).hasSizeBetween(2, 4);
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.7f, 21)), logits, 2000)).isEqualTo(nucleus);
    }

    @Test
    void aTopPBelowEveryTokensProbabilityKeepsOnlyTheFirstRanked() {
        float[] flat = new float[1000]; // every token 0.1 %: the nucleus of 0.05 % is the first-ranked token alone (id 0)
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.0005f, 8)), flat, 200)).containsExactly(0);
        float[] two = {2f, 2f};
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.1f, 8)), two, 200)).containsExactly(0);
        float[] three = {0f, 1f, 1f};
        assertThat(seen(new Sampler(new SamplingParams(1f, 0, 0.2f, 8)), three, 200)).containsExactly(1);
    }

    /** Sampling as the whole-vocabulary ranking does it: every token sorted by logit, largest first, lower id on a tie. */
    private static final class ReferenceSampler {
        private final SamplingParams params;
        private final java.util.random.RandomGenerator random;

        ReferenceSampler(SamplingParams params) {
            this.params = params;
            this.random = java.util.random.RandomGeneratorFactory.of(Sampler.ALGORITHM).create(params.seed());
        }

        int sample(float[] logits) {
            Integer[] order = new Integer[logits.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            int k = params.topK() > 0 ? Math.min(params.topK(), logits.length) : logits.length;
            float[] w = new float[k];
            double sum = 0;
            for (int i = 0; i < k; i++) {
                w[i] = (float) Math.exp((logits[order[i]] - logits[order[0]]) / params.temperature());
                sum += w[i];
            }
            int keep = k;
            double cumulative = 0;
            for (int i = 0; params.topP() < 1f && i < k; i++) {
                cumulative += w[i] / sum;
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            double mass = 0;
            for (int i = 0; i < keep; i++) {
                mass += w[i];
            }
            double r = random.nextDouble() * mass;
            for (int i = 0; i < keep; i++) {
                r -= w[i];
                if (r < 0) {
                    return order[i];
                }
            }
            return order[keep - 1];
        }
    }

    private static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static Set<Integer> seen(Sampler s, float[] logits, int n) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            seen.add(s.sample(logits));
        }
        return seen;
    }

    private static int[] draw(Sampler s, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(LOGITS);
        }
        return out;
    }

    private static Set<Integer> seen(Sampler s, int n) {
        Set<Integer> seen = new HashSet<>();
        for (int t : draw(s, n)) {
            seen.add(t);
        }
        return seen;
    }
}
