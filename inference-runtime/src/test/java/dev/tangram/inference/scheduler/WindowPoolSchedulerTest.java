package dev.tangram.inference.scheduler;

import dev.tangram.inference.kv.BlockAllocator;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.testing.HistoryForwardPass;
import dev.tangram.inference.testing.RecordingSink;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tangram.inference.scheduler.SchedulerDriving.drain;
import static dev.tangram.inference.scheduler.SchedulerDriving.prompt;
import static dev.tangram.inference.scheduler.SchedulerDriving.submit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sliding-window layers in a pool of their own: each sequence holds only the blocks its window reaches there, and
 * every request answers as it does where all layers share one pool (the test model reads each window back and fails on
 * a slot that holds another position or token).
 */
class WindowPoolSchedulerTest {
    private static final int BLOCK = 4;

    private static ContinuousBatchScheduler scheduler(int blocks, int windowBlocks, int batchTokens, int maxRunning) {
        HistoryForwardPass model = new HistoryForwardPass(HistoryForwardPass.WINDOWED);
        return SchedulerDriving.scheduler(model, new PagedKvCache(model.config(), blocks, windowBlocks, BLOCK, KvCacheType.F32),
                new SchedulerSettings(batchTokens, maxRunning, 64, model.config().contextLength()));
    }

    private static List<Integer> inOnePool(int[] prompt, int maxTokens) {
        ContinuousBatchScheduler s = scheduler(256, 0, 512, 8);
        RecordingSink sink = submit(s, "one pool", prompt, maxTokens);
        drain(s);
        assertThat(sink.completion().error()).isNull();
        return sink.tokens();
    }

    private static BlockAllocator windowPool(ContinuousBatchScheduler s) {
        return s.windowAllocator().orElseThrow();
    }

    @Test
    void answersAsOnePoolDoesWhileHoldingOnlyWhatTheWindowsReach() {
        Random rnd = new Random(17);
        int[] shared = prompt(rnd, 24);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] p = prompt(rnd, 1 + rnd.nextInt(50));
            if (i % 3 == 0) {
                System.arraycopy(shared, 0, p, 0, Math.min(shared.length, p.length));
            }
            prompts.add(p);
        }
        // four running sequences: each reaches at most 3 blocks of 4 after a step (5 positions behind its next token), and
        // a step's 16 tokens 4 blocks more while it runs, 2 more for ragged chunk ends
        ContinuousBatchScheduler s = scheduler(256, 4 * 4 + 4, 16, 4);
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            sinks.add(submit(s, "r" + i, prompts.get(i), 24));
        }
        for (int i = 0; s.hasWork(); i++) {
            s.step();
            assertThat(windowPool(s).usedBlocks()).as("step %d", i).isLessThanOrEqualTo(3 * s.runningRequests());
            assertThat(i).isLessThan(10_000);
        }
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(sinks.get(i).completion().error()).as("request %d", i).isNull();
            assertThat(sinks.get(i).tokens()).as("request %d", i).isEqualTo(inOnePool(prompts.get(i), 24));
        }
        assertThat(s.allocator().usedBlocks()).isZero();
        assertThat(windowPool(s).usedBlocks()).isZero();
    }

    @Test
    void aPrefixHitTakesTheLastWindowFromTheWindowPool() {
        int[] shared = prompt(new Random(3), 21);
        ContinuousBatchScheduler s = scheduler(64, 40, 64, 4);
        RecordingSink first = submit(s, "first", shared, 12);
        drain(s);
        // the window pool keeps the blocks of the first request's last window, and those it gave back on the way there
        assertThat(windowPool(s).evictableBlocks()).isPositive();
        RecordingSink second = submit(s, "second", shared, 12);
        drain(s);
        assertThat(second.completion().cachedTokens()).isEqualTo(20);
        assertThat(second.tokens()).isEqualTo(first.tokens()).isEqualTo(inOnePool(shared, 12));
    }

    @Test
    void aPrefixHitEndsWhereTheWindowPoolNoLongerHoldsTheWindow() {
        Random rnd = new Random(4);
        int[] first = prompt(rnd, 29);
        // room for one sequence: its window (3 blocks) and a chunk of 8 tokens (2 blocks, 1 more for a ragged end)
        ContinuousBatchScheduler s = scheduler(128, 6, 8, 1);
        RecordingSink a = submit(s, "a", first, 4);
        drain(s);
        assertThat(s.allocator().evictableBlocks()).isGreaterThanOrEqualTo(7);
        // another long request turns the window pool over: the first one's window blocks are evicted, its others stay
        submit(s, "b", prompt(rnd, 40), 8);
        drain(s);
        assertThat(windowPool(s).evictions()).isPositive();
        RecordingSink again = submit(s, "a again", first, 4);
        drain(s);
        assertThat(again.completion().cachedTokens()).isLessThan(28);
        assertThat(again.tokens()).isEqualTo(a.tokens()).isEqualTo(inOnePool(first, 4));
        assertThat(again.completion().error()).isNull();
    }

    @Test
    void aRequestWhoseWindowAndChunkDoNotFitThePoolIsRefused() {
        ContinuousBatchScheduler s = scheduler(64, 3, 16, 1);
        Admission a = s.submit(new GenerationRequest("big", prompt(new Random(1), 30), 4, SamplingParams.GREEDY, new RecordingSink()));
        assertThat(a).isInstanceOf(Admission.Invalid.class);
        assertThat(((Admission.Invalid) a).reason()).contains("sliding-window layers' pool", "it has 3");
        // a short one needs no more than its own blocks
        assertThat(s.submit(new GenerationRequest("small", new int[] {3, 4, 5}, 2, SamplingParams.GREEDY, new RecordingSink())))
                .isInstanceOf(Admission.Queued.class);
    }
}
