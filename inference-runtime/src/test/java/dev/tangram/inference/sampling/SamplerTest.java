package dev.tangram.inference.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
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
    void lowTemperatureConcentratesOnTheLikeliestTokens() {
        assertThat(seen(new Sampler(new SamplingParams(0.01f, 0, 1f, 3)), 200)).isSubsetOf(1, 4);
        assertThat(seen(new Sampler(new SamplingParams(100f, 0, 1f, 3)), 400)).hasSize(LOGITS.length);
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
