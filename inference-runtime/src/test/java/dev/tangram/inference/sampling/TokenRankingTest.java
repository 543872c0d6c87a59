package dev.tangram.inference.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenRankingTest {
    /** Largest logit first, lower id on a tie: the order the keys must sort into. */
    private static int[] byRank(float[] logits) {
        return IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    @Test
    void keysSortLikeLogitsLargestFirstThenByLowerId() {
        float[] logits = {0f, -0f, 3.5f, -2f, 3.5f, Float.NEGATIVE_INFINITY, 1e-30f, -1e-30f, 100f, -100f};
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            keys[i] = TokenRanking.key(logits[i], i);
        }
        Arrays.sort(keys);
        int[] ids = Arrays.stream(keys).mapToInt(TokenRanking::id).toArray();
        // -0 and 0 compare as floats do: 0 before -0 here, as Float.compare has -0 < 0
        assertThat(ids).containsExactly(8, 2, 4, 6, 0, 1, 7, 3, 9, 5);
    }

    @Test
    void topKIsTheFirstKOfTheFullRanking() {
        Random rnd = new Random(2);
        for (int round = 0; round < 50; round++) {
            float[] logits = new float[1 + rnd.nextInt(400)];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = rnd.nextInt(20) - 10; // many ties
            }
            int k = 1 + rnd.nextInt(logits.length);
            int[] out = new int[logits.length];
            int n = TokenRanking.topK(logits, k, new long[k], out);
            assertThat(n).isEqualTo(k);
            assertThat(Arrays.copyOf(out, k)).as("round %d", round).containsExactly(Arrays.copyOf(byRank(logits), k));
        }
    }
}
