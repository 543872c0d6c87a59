package dev.tangram.inference.scheduler;

import dev.tangram.inference.kv.BlockAllocator;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.testing.HistoryForwardPass;
import dev.tangram.inference.testing.RecordingSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Random request mixes (shared prefixes, cancellations, tight caches): every block comes back. */
class BlockAccountingPropertyTest {
    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void blockAccountingNeverLeaksOverRandomRequestMixes(long seed) {
        Random rnd = new Random(seed);
        int blockSize = 1 + rnd.nextInt(8);
        int blocks = 24 + rnd.nextInt(64);
        HistoryForwardPass model = new HistoryForwardPass();
        runMix(rnd, SchedulerDriving.scheduler(model, new PagedKvCache(model.config(), blocks, blockSize),
                new SchedulerSettings(4 + rnd.nextInt(40), 1 + rnd.nextInt(8), 64, 128)));
    }

    /** The same over a cache whose sliding-window layers have a pool of their own, from tight to roomy. */
    @ParameterizedTest
    @MethodSource("seeds")
    void blockAccountingNeverLeaksInEitherPoolWithAWindowPool(long seed) {
        Random rnd = new Random(seed);
        int blockSize = 1 + rnd.nextInt(8);
        int blocks = 24 + rnd.nextInt(64);
        int batchTokens = 4 + rnd.nextInt(40);
        // the most one sequence holds there: its window's blocks and a chunk's
        int peak = (HistoryForwardPass.WINDOW - 1 + batchTokens + blockSize - 1) / blockSize + 1;
        HistoryForwardPass model = new HistoryForwardPass(HistoryForwardPass.WINDOWED);
        ContinuousBatchScheduler s = SchedulerDriving.scheduler(model,
                new PagedKvCache(model.config(), blocks, peak + rnd.nextInt(3 * peak), blockSize, KvCacheType.F32),
                new SchedulerSettings(batchTokens, 1 + rnd.nextInt(8), 64, 128));
        runMix(rnd, s);
        assertAllBack(s.windowAllocator().orElseThrow());
    }

    private static void runMix(Random rnd, ContinuousBatchScheduler s) {
        int[] sharedPrefix = new int[20];
        for (int i = 0; i < sharedPrefix.length; i++) {
            sharedPrefix[i] = 2 + rnd.nextInt(30);
        }
        List<RecordingSink> sinks = new ArrayList<>();
        List<String> live = new ArrayList<>();
        int submitted = 0;
        for (int step = 0; step < 2000 && (submitted < 30 || s.hasWork()); step++) {
            if (submitted < 30 && rnd.nextInt(3) == 0) {
                int len = 1 + rnd.nextInt(40);
                int[] prompt = new int[len];
                for (int i = 0; i < len; i++) {
                    prompt[i] = rnd.nextBoolean() && i < sharedPrefix.length ? sharedPrefix[i] : 2 + rnd.nextInt(30);
                }
                RecordingSink sink = new RecordingSink();
                String id = "r" + submitted++;
                Admission a = s.submit(new GenerationRequest(id, prompt, 1 + rnd.nextInt(40), SamplingParams.GREEDY, sink));
                if (a instanceof Admission.Queued) {
                    sinks.add(sink);
                    live.add(id);
                }
            }
            if (!live.isEmpty() && rnd.nextInt(10) == 0) {
                s.cancel(live.remove(rnd.nextInt(live.size())));
            }
            s.step();
            for (BlockAllocator a : List.of(s.allocator(), s.windowAllocator().orElse(s.allocator()))) {
                assertThat(a.freeBlocks() + a.evictableBlocks() + a.usedBlocks()).isEqualTo(a.totalBlocks());
            }
        }
        assertThat(s.hasWork()).isFalse();
        assertAllBack(s.allocator());
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.finished()).isTrue());
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.completion().error()).isNull());
        assertThat(s.runningRequests()).isZero();
        assertThat(s.waitingRequests()).isZero();
    }

    private static void assertAllBack(BlockAllocator a) {
        assertThat(a.freeBlocks() + a.evictableBlocks()).isEqualTo(a.totalBlocks());
        for (int b = 0; b < a.totalBlocks(); b++) {
            assertThat(a.refCount(b)).as("block %d", b).isZero();
        }
    }
}
