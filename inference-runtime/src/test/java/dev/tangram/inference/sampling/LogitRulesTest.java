package dev.tangram.inference.sampling;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogitRulesTest {
    /** Token 1 leads token 2 by 0.5, token 2 leads token 0 by 0.5. */
    private static final float[] LOGITS = {2f, 3f, 2.5f, -1f};

    private static Sampler greedy(LogitRules rules, int[] prompt, int[] endTokens) {
        return new Sampler(new SamplingParams(0f, 0, 1f, 0L, rules), prompt, endTokens, new byte[0][]);
    }

    private static Sampler greedy(LogitRules rules) {
        return greedy(rules, new int[0], new int[0]);
    }

    @Test
    void aLogitBiasIsAddedBeforeThePick() {
        assertThat(greedy(new LogitRules(0, 0, 1, Map.of(3, 10f), 0)).sample(LOGITS)).isEqualTo(3);
        assertThat(greedy(new LogitRules(0, 0, 1, Map.of(1, -100f), 0)).sample(LOGITS)).isEqualTo(2);
        assertThat(greedy(new LogitRules(0, 0, 1, Map.of(1, -0.4f), 0)).sample(LOGITS)).isEqualTo(1);
    }

    @Test
    void thePresencePenaltyCountsATokenOnceAndTheFrequencyPenaltyEveryTime() {
        // presence 0.6: token 1 drops below token 2 after its first draw, then token 2 below both
        Sampler presence = greedy(new LogitRules(0.6f, 0, 1, Map.of(), 0));
        assertThat(new int[] {presence.sample(LOGITS), presence.sample(LOGITS), presence.sample(LOGITS), presence.sample(LOGITS)})
                .containsExactly(1, 2, 1, 1); // 2.4 < 2.5, then 2.4 > 2 > 1.9: token 1 loses 0.6 however often drawn
        // frequency 0.3: 3.0, 2.7, 2.4 (< 2.5): token 1 is drawn twice before token 2
        Sampler frequency = greedy(new LogitRules(0, 0.3f, 1, Map.of(), 0));
        assertThat(new int[] {frequency.sample(LOGITS), frequency.sample(LOGITS), frequency.sample(LOGITS)}).containsExactly(1, 1, 2);
        // a negative penalty favours what was drawn
        Sampler repeat = greedy(new LogitRules(-1f, 0, 1, Map.of(), 0));
        repeat.sample(new float[] {0f, 0.5f, 0f, 0f});
        assertThat(repeat.sample(new float[] {0.9f, 0f, 0f, 0f})).isEqualTo(1);
    }

    @Test
    void theRepetitionPenaltyDividesPositiveLogitsAndMultipliesNegativeOnesOfPromptAndOutputTokens() {
        // token 1 is in the prompt: 3 / 1.5 = 2 < 2.5
        assertThat(greedy(new LogitRules(0, 0, 1.5f, Map.of(), 0), new int[] {1, 1, 3}, new int[0]).sample(LOGITS)).isEqualTo(2);
        // negative logits move further down: -1 * 4 = -4 < -3
        float[] negative = {-3f, -1f, -5f, -6f};
        assertThat(greedy(new LogitRules(0, 0, 4f, Map.of(), 0), new int[] {1}, new int[0]).sample(negative)).isEqualTo(0);
        // a drawn token joins the set: 1, then 2 (3/2 = 1.5 < 2.5), then 0 (2.5/2 = 1.25 < 2)
        Sampler output = greedy(new LogitRules(0, 0, 2f, Map.of(), 0));
        assertThat(new int[] {output.sample(LOGITS), output.sample(LOGITS), output.sample(LOGITS)}).containsExactly(1, 2, 0);
    }

    @Test
    void minTokensMasksTheEndTokensUntilThatManyAreDrawn() {
        float[] endLikely = {0f, 9f, 1f, 0f}; // token 1 ends generation here
        Sampler s = greedy(new LogitRules(0, 0, 1, Map.of(), 2), new int[0], new int[] {1});
        assertThat(new int[] {s.sample(endLikely), s.sample(endLikely), s.sample(endLikely)}).containsExactly(2, 2, 1);
    }

    @Test
    void minTokensMasksTheStopTokensTooUntilThatManyAreDrawn() {
        float[] stopLikely = {0f, 1f, 2f, 9f}; // token 3 is a stop token of the request
        Sampler s = greedy(new LogitRules(0, 0, 1, Map.of(), 2, null, java.util.Set.of(3)), new int[0], new int[] {1});
        assertThat(new int[] {s.sample(stopLikely), s.sample(stopLikely), s.sample(stopLikely)}).containsExactly(2, 2, 3);
    }

    @Test
    void rulesApplyToSampledDrawsTooAndLeaveTheModelsLogitsAlone() {
        float[] logits = LOGITS.clone();
        Sampler s = new Sampler(new SamplingParams(1f, 0, 1f, 42L, new LogitRules(0, 0, 1, Map.of(0, -100f, 1, -100f, 2, -100f), 0)),
                new int[0], new int[0], new byte[0][]);
        for (int i = 0; i < 50; i++) {
            assertThat(s.sample(logits)).isEqualTo(3);
        }
        assertThat(logits).containsExactly(LOGITS);
    }

    @Test
    void badRulesAreRefused() {
        assertThatThrownBy(() -> new LogitRules(0, 0, 0, Map.of(), 0)).hasMessageContaining("repetition_penalty");
        assertThatThrownBy(() -> new LogitRules(Float.NaN, 0, 1, Map.of(), 0)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new LogitRules(0, 0, 1, Map.of(-1, 1f), 0)).hasMessageContaining("logit_bias");
        assertThatThrownBy(() -> new LogitRules(0, 0, 1, Map.of(), -1)).hasMessageContaining("min_tokens");
        assertThat(LogitRules.NONE.isNone()).isTrue();
        assertThat(new LogitRules(0, 0, 1, Map.of(), 1).isNone()).isFalse();
    }
}
