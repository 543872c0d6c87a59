package dev.tangram.inference.sampling;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TokenLogprobsTest {
    /** A plain double-precision log-softmax. */
    private static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - max - Math.log(sum);
        }
        return out;
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheLogitsAndTheTopAreTheLikeliestFirst() {
        Random rnd = new Random(9);
        float[] logits = new float[1003]; // not a multiple of any vector length
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (rnd.nextGaussian() * 4 + 30); // large logits: exp would overflow without the max
        }
        double[] expected = logSoftmax(logits);
        TokenLogprobs lp = TokenLogprobs.of(logits, 17, 5);
        assertThat(lp.token()).isEqualTo(17);
        assertThat((double) lp.logprob()).isCloseTo(expected[17], within(1e-4));
        assertThat(lp.top()).hasSize(5);
        int best = Sampler.argmax(logits);
        assertThat(lp.top()[0]).isEqualTo(best);
        for (int i = 0; i < 5; i++) {
            assertThat((double) lp.topLogprobs()[i]).isCloseTo(expected[lp.top()[i]], within(1e-4));
            if (i > 0) {
                assertThat(lp.topLogprobs()[i]).isLessThanOrEqualTo(lp.topLogprobs()[i - 1]);
            }
        }
        double mass = 0;
        for (double e : expected) {
            mass += Math.exp(e);
        }
        assertThat(mass).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void noAlternativesAndAtMostTheVocabulary() {
        float[] logits = {0f, Float.NEGATIVE_INFINITY, 1f};
        assertThat(TokenLogprobs.of(logits, 2, 0).top()).isEmpty();
        TokenLogprobs all = TokenLogprobs.of(logits, 1, 20);
        assertThat(all.top()).containsExactly(2, 0, 1);
        assertThat(all.logprob()).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> TokenLogprobs.of(logits, 0, 21)).hasMessageContaining("between 0 and 20");
    }
}
