package dev.tangram.inference.scheduler;

import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.testing.FakeTokenizer;
import dev.tangram.inference.testing.HistoryForwardPass;
import dev.tangram.inference.testing.RecordingSink;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the scheduler tests do with a scheduler: make one over the test model, random prompts, greedy requests that must be
 * queued, steps until done.
 */
final class SchedulerDriving {
    private SchedulerDriving() {
    }

    /** A scheduler over {@code model} and {@code cache}: the fake tokenizer's sampling and end of generation, no metrics. */
    static ContinuousBatchScheduler scheduler(HistoryForwardPass model, PagedKvCache cache, SchedulerSettings settings) {
        return new ContinuousBatchScheduler(model, cache, settings, TokenSampler.perRequest(new FakeTokenizer()),
                new FakeTokenizer()::isEndOfGeneration, SchedulerMetrics.NONE);
    }

    /** {@code length} random tokens of the fake vocabulary, none of them special. */
    static int[] prompt(Random rnd, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 2 + rnd.nextInt(FakeTokenizer.VOCAB - 2);
        }
        return p;
    }

    /** Steps until nothing is left to do (at most 100,000 steps). */
    static void drain(ContinuousBatchScheduler s) {
        for (int i = 0; s.hasWork(); i++) {
            s.step();
            assertThat(i).as("steps").isLessThan(100_000);
        }
    }

    /** A greedy request, which must be queued. */
    static RecordingSink submit(ContinuousBatchScheduler s, String id, int[] prompt, int maxTokens) {
        RecordingSink sink = new RecordingSink();
        assertThat(s.submit(new GenerationRequest(id, prompt, maxTokens, SamplingParams.GREEDY, sink))).isInstanceOf(Admission.Queued.class);
        return sink;
    }
}
