package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ExpertRouterTest {
    @Test
    void choosesTheLikeliestExpertsAndWeighsThemByTheirRenormalisedProbabilities() {
        float[] logits = {9, 0.5f, 2, -1, 1, 2.5f};
        int[] experts = new int[5];
        float[] weights = new float[5];
        ExpertRouter.route(logits, 1, 5, 2, experts, weights, 3);
        assertThat(experts).containsExactly(0, 0, 0, 4, 1);
        // softmax then renormalised over the two chosen = softmax of their two logits
        double a = Math.exp(2.5), b = Math.exp(2);
        assertThat(weights[3]).isCloseTo((float) (a / (a + b)), within(1e-6f));
        assertThat(weights[4]).isCloseTo((float) (b / (a + b)), within(1e-6f));
        assertThat(weights[0]).isZero();
    }

    @Test
    void equalLogitsGoToTheLowerIndexAndAllExpertsUsedWeighTheirWholeSoftmax() {
        float[] logits = {1, 3, 3, 0};
        int[] experts = new int[4];
        float[] weights = new float[4];
        ExpertRouter.route(logits, 0, 4, 2, experts, weights, 0);
        assertThat(experts[0]).isEqualTo(1);
        assertThat(experts[1]).isEqualTo(2);
        assertThat(weights[0]).isEqualTo(0.5f).isEqualTo(weights[1]);

        ExpertRouter.route(logits, 0, 4, 4, experts, weights, 0);
        assertThat(experts).containsExactly(1, 2, 0, 3);
        double sum = Math.exp(1) + 2 * Math.exp(3) + 1;
        assertThat(weights[2]).isCloseTo((float) (Math.exp(1) / sum), within(1e-6f));
        assertThat(weights[0] + weights[1] + weights[2] + weights[3]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void refusesToUseMoreExpertsThanThereAreOrNone() {
        assertThatThrownBy(() -> ExpertRouter.route(new float[4], 0, 4, 5, new int[5], new float[5], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 4 experts, not 5");
        assertThatThrownBy(() -> ExpertRouter.route(new float[4], 0, 4, 0, new int[1], new float[1], 0))
                .hasMessageContaining("not 0");
    }
}
