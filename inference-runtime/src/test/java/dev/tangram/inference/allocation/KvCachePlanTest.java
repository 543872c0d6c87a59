package dev.tangram.inference.allocation;

import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.DecoderScales;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.SlidingWindow;
import dev.tangram.inference.model.WindowCache;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KvCachePlanTest {
    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024 * MIB;
    /** Llama-3.2-1B's shape: 16 layers, 8 KV heads of 64. */
    private static final LlamaConfig ONE_B = new LlamaConfig(16, 2048, 32, 8, 64, 8192, 128256, 131072, 500000f, 1e-5f);

    @Test
    void dividesWhatIsLeftAfterWeightsAndActivationsByTheBlockSize() {
        MemoryBudget budget = new MemoryBudget(8 * GIB, "TANGRAM_GPU_MEMORY_LIMIT_MIB=8192", true);
        KvCachePlan p = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F32, 1300 * MIB, 100 * MIB, 64 * GIB, 8192);
        // 2 × 16 × 8 × 64 × 4 B × 16 = 1 MiB per block
        assertThat(p.bytesPerBlock()).isEqualTo(MIB);
        long expected = ((long) (8 * GIB * 0.9) - 1400 * MIB) / MIB;
        assertThat(p.blocks()).isEqualTo((int) expected);
        assertThat(p.fits()).isTrue();
        assertThat(p.arithmetic(ONE_B)).contains("8192 MiB", "× 0.90", "1300.0 MiB", "100.0 MiB", "1048576 B/block",
                "2 × 16 layers × 8 kv heads × 64 head dim × 4 B [f32] × 16 slots", "= " + expected + " blocks");
    }

    @Test
    void theHeapCapsTheCacheAndTheLineSaysSo() {
        MemoryBudget budget = new MemoryBudget(80 * GIB, "GPU-0", true);
        KvCachePlan p = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F32, 1300 * MIB, 0, 4 * GIB, 8192);
        assertThat(p.blocks()).isEqualTo((int) (4 * GIB * 0.9 / MIB));
        assertThat(p.budgetBlocks()).isGreaterThan(p.blocks());
        assertThat(p.arithmetic(ONE_B)).contains("capped at " + p.blocks() + " blocks by the JVM heap");
    }

    @Test
    void refusesAModelWhoseWeightsDoNotFit() {
        MemoryBudget budget = new MemoryBudget(1 * GIB, "MIG-1 (1g.10gb)", true);
        KvCachePlan p = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F32, 2 * GIB, 10 * MIB, 64 * GIB, 2048);
        assertThat(p.fits()).isFalse();
        assertThat(p.refusal()).contains("does not fit", "weights 2048 MiB", "MIG-1");
    }

    @Test
    void refusesWhenOneFullSequenceDoesNotFit() {
        MemoryBudget budget = new MemoryBudget(2 * GIB, "config", false);
        KvCachePlan p = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F32, 1300 * MIB, 100 * MIB, 64 * GIB, 131072);
        assertThat(p.fits()).isFalse();
        assertThat(p.refusal()).contains("131072 tokens needs 8192 blocks", "kvCache.type: f16", "model.maxModelLen");
    }

    @Test
    void halvesHoldTwiceTheTokensOfFloats() {
        MemoryBudget budget = new MemoryBudget(8 * GIB, "config", false);
        KvCachePlan floats = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F32, 1300 * MIB, 100 * MIB, 64 * GIB, 8192);
        KvCachePlan halves = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.F16, 1300 * MIB, 100 * MIB, 64 * GIB, 8192);
        // 2 × 16 × 8 × 64 × 2 B × 16 = 512 KiB per block
        assertThat(halves.bytesPerBlock()).isEqualTo(MIB / 2);
        long usable = (long) (8 * GIB * 0.9) - 1400 * MIB;
        assertThat(halves.blocks()).isEqualTo((int) (usable / (MIB / 2)));
        assertThat(floats.blocks()).isEqualTo((int) (usable / MIB));
        assertThat(halves.arithmetic(ONE_B)).contains("× 2 B [f16] × 16 slots", "524288 B/block");
        // the advice for a sequence that does not fit names the next narrower type
        KvCachePlan tight = KvCachePlan.compute(new MemoryBudget(2 * GIB, "config", false), 0.9, ONE_B, 16, KvCacheType.F16,
                1300 * MIB, 100 * MIB, 64 * GIB, 131072);
        assertThat(tight.refusal()).endsWith("raise memory.utilisation, store the cache in Q8_0 blocks (kvCache.type: q8_0), "
                + "or lower model.maxModelLen");
    }

    /** Q8_0 blocks: 34 bytes per 32 elements, the arithmetic says 1.0625 B, and nothing narrower is advised. */
    @Test
    void q8BlocksTake34BytesPer32ElementsAndNeedHeadsOfAMultipleOf32() {
        MemoryBudget budget = new MemoryBudget(8 * GIB, "config", false);
        KvCachePlan q8 = KvCachePlan.compute(budget, 0.9, ONE_B, 16, KvCacheType.Q8_0, 1300 * MIB, 100 * MIB, 64 * GIB, 8192);
        // 2 × 16 × 8 × 64 × 1.0625 B × 16 = 272 KiB per block
        assertThat(q8.bytesPerBlock()).isEqualTo(272 * 1024);
        assertThat(q8.blocks()).isEqualTo((int) (((long) (8 * GIB * 0.9) - 1400 * MIB) / (272 * 1024)));
        assertThat(q8.arithmetic(ONE_B)).contains("× 1.0625 B [q8_0] × 16 slots", "278528 B/block");
        KvCachePlan tight = KvCachePlan.compute(new MemoryBudget(2 * GIB, "config", false), 0.9, ONE_B, 16, KvCacheType.Q8_0,
                1300 * MIB, 100 * MIB, 64 * GIB, 131072);
        assertThat(tight.refusal()).doesNotContain("kvCache.type").contains("raise memory.utilisation, or lower model.maxModelLen");
        // heads of 80 (Phi-2's) do not split into blocks of 32
        LlamaConfig heads80 = new LlamaConfig(4, 2560, 32, 32, 80, 10240, 51200, 2048, 10000f, 1e-5f);
        KvCachePlan refused = KvCachePlan.compute(budget, 0.9, heads80, 16, KvCacheType.Q8_0, 1300 * MIB, 100 * MIB, 64 * GIB, 2048);
        assertThat(refused.fits()).isFalse();
        assertThat(refused.refusal()).isEqualTo("a KV cache of q8_0 needs a head size that is a multiple of 32; this model's is 80: "
                + "choose kvCache.type f16 or f32");
        KvCachePlan halves = KvCachePlan.compute(budget, 0.9, heads80, 16, KvCacheType.F16, 1300 * MIB, 100 * MIB, 64 * GIB, 2048);
        assertThat(halves.fits()).isTrue();
    }

    /**
     * The plan of {@code config} in halves, in blocks of 16 slots, from 90 % of {@code budget} and a heap of 64 GiB, for 16
     * running sequences and 512 tokens a step.
     */
    private static KvCachePlan plan(MemoryBudget budget, LlamaConfig config, long weightsMib, long activationsMib, int maxModelLen,
                                    WindowCache windowCache) {
        return KvCachePlan.compute(budget, 0.9, config, 16, KvCacheType.F16, weightsMib * MIB, activationsMib * MIB, 64 * GIB, maxModelLen,
                windowCache, 16, 512);
    }

    /** Gemma 3 1B's shape: 26 layers, one KV head of 256; 22 layers slide a window of 512, every sixth attends to all. */
    private static final LlamaConfig GEMMA3_1B = new LlamaConfig(26, 1152, 4, 1, 256, 6912, 262144, 32768, 1000000f, 1e-6f,
            Architecture.GEMMA3, 1f, DecoderScales.NONE, new SlidingWindow(512, SlidingWindow.pattern(6, 26), 10000f, 1f));

    @Test
    void slidingWindowLayersInAPoolOfTheirOwnLeaveTheRestToTheFullAttentionLayers() {
        MemoryBudget budget = new MemoryBudget(4 * GIB, "config", false);
        KvCachePlan whole = plan(budget, GEMMA3_1B, 1014, 100, 32768, WindowCache.FULL);
        KvCachePlan split = plan(budget, GEMMA3_1B, 1014, 100, 32768, WindowCache.WINDOW);
        // one pool: 2 × 26 × 1 × 256 × 2 B × 16 = 425,984 B per block
        assertThat(whole.window()).isEqualTo(KvCachePlan.WindowPool.NONE);
        assertThat(whole.bytesPerBlock()).isEqualTo(425_984);
        long usable = (long) (4 * GIB * 0.9) - 1114 * MIB;
        assertThat(whole.blocks()).isEqualTo((int) (usable / 425_984));
        // the window pool: 16 sequences × (32 blocks a window of 511 behind reaches + 2) + 32 blocks of a step's 512 tokens,
        // twice; 2 × 22 × 256 × 2 B × 16 = 360,448 B per block
        assertThat(split.window()).isEqualTo(new KvCachePlan.WindowPool(22, 512, 2 * (16 * 34 + 32), 360_448,
                KvCachePlan.Sizing.RUNNING, 32));
        // the rest in blocks of the four full-attention layers: 2 × 4 × 256 × 2 B × 16 = 65,536 B
        assertThat(split.bytesPerBlock()).isEqualTo(65_536);
        assertThat(split.blocks()).isEqualTo((int) ((usable - 1152L * 360_448) / 65_536));
        assertThat(split.tokens()).isGreaterThan(5 * whole.tokens());
        assertThat(split.fits()).isTrue();
        assertThat(split.arithmetic(GEMMA3_1B)).contains("− sliding-window layers 396.0 MiB) ÷ 65536 B/block",
                "(2 × 4 full-attention layers × 1 kv heads × 256 head dim × 2 B [f16] × 16 slots)",
                "; the 22 sliding-window layers keep their 512-position windows apart: 1152 blocks × 360448 B (2 × 22 layers × 1 kv heads"
                        + " × 256 head dim × 2 B [f16] × 16 slots) = 396.0 MiB, the windows of 16 running sequences and as many ended ones");
    }

    @Test
    void noPoolOfTheirOwnWhereAWindowReachesAsFarAsASequenceOrTheModelHasNoWindow() {
        MemoryBudget budget = new MemoryBudget(4 * GIB, "config", false);
        // sequences of 544 tokens: 34 blocks, as many as one window's share of the pool
        assertThat(plan(budget, GEMMA3_1B, 1014, 100, 544, WindowCache.WINDOW).window()).isEqualTo(KvCachePlan.WindowPool.NONE);
        assertThat(plan(budget, GEMMA3_1B, 1014, 100, 545, WindowCache.WINDOW).window().layers()).isEqualTo(22);
        assertThat(plan(budget, ONE_B, 1300, 100, 8192, WindowCache.WINDOW).window()).isEqualTo(KvCachePlan.WindowPool.NONE);
    }

    @Test
    void aBudgetTooSmallForEveryRunningWindowGetsAPoolSizedFromIt() {
        // 1,400 MiB: the weights and activations leave 146 MiB, less than the running windows' pool of 396
        MemoryBudget budget = new MemoryBudget(1400 * MIB, "config", false);
        KvCachePlan whole = plan(budget, GEMMA3_1B, 1014, 100, 2048, WindowCache.FULL);
        KvCachePlan p = plan(budget, GEMMA3_1B, 1014, 100, 2048, WindowCache.WINDOW);
        long room = (long) (1400 * MIB * 0.9) - 1014 * MIB - 100 * MIB;
        // a sequence of 2,048 tokens: 34 blocks of 352 KiB in the window pool and 128 of 64 KiB in the other; one step's 32 blocks
        double sequences = (room - 32 * 360_448L) / (double) (34 * 360_448L + 128 * 65_536L);
        assertThat(sequences).isBetween(6.8, 6.9);
        assertThat(p.window()).isEqualTo(new KvCachePlan.WindowPool(22, 512, (int) Math.ceil(sequences * 34) + 32, 360_448,
                KvCachePlan.Sizing.BALANCED, sequences));
        assertThat(p.fits()).isTrue();
        assertThat(p.blocks()).isEqualTo((int) ((room - p.window().bytes()) / 65_536));
        // the other layers hold as many sequences of 2,048 tokens (less the window pool's block rounded up: 5.5 of theirs),
        // and the cache 2.4 times the tokens of one pool
        assertThat(p.blocks() / 128.0).isCloseTo(sequences, within(6 / 128.0));
        assertThat(p.tokens()).isGreaterThan(2 * whole.tokens());
        assertThat(p.arithmetic(GEMMA3_1B)).contains("the windows of 6.9 sequences of 2048 tokens, as many as the full-attention layers "
                + "hold (the budget is too small for the windows of every running sequence and as many ended ones)");
    }

    /** Gemma 2 2B's shape: 26 layers, four KV heads of 256; every other layer slides a window of 4,096 positions. */
    private static final LlamaConfig GEMMA2_2B = new LlamaConfig(26, 2304, 8, 4, 256, 9216, 256000, 8192, 10000f, 1e-6f,
            Architecture.GEMMA2, 1f, DecoderScales.NONE, new SlidingWindow(4096, SlidingWindow.pattern(2, 26), 10000f, 1f));

    /**
     * Gemma 2's long window: 16 running windows and as many ended ones are 8,320 blocks (6,760 MiB), more than an 8 GiB
     * budget leaves; a pool sized from the budget holds a third more sequences of 8,192 tokens than one pool.
     */
    @Test
    void aLongWindowTooDearForEveryRunningSequenceStillSavesMemoryInAPoolSizedFromTheBudget() {
        MemoryBudget budget = new MemoryBudget(8 * GIB, "config", false);
        KvCachePlan whole = plan(budget, GEMMA2_2B, 2800, 200, 8192, WindowCache.FULL);
        KvCachePlan p = plan(budget, GEMMA2_2B, 2800, 200, 8192, WindowCache.WINDOW);
        // 2 × 13 layers × 4 kv heads × 256 × 2 B × 16 = 851,968 B a block in either pool
        long room = (long) (8 * GIB * 0.9) - 3000 * MIB;
        assertThat(KvCachePlan.windowPoolBlocks(4096, 16, 16, 512) * 851_968L).isGreaterThan(room);
        double sequences = (room - 32 * 851_968L) / (double) ((258 + 512) * 851_968L);
        assertThat(p.window().sizing()).isEqualTo(KvCachePlan.Sizing.BALANCED);
        assertThat(p.window().sequences()).isCloseTo(sequences, within(1e-9));
        assertThat(p.window().blocks()).isEqualTo((int) Math.ceil(sequences * 258) + 32);
        assertThat(p.bytesPerBlock()).isEqualTo(851_968);
        assertThat(p.blocks() / 512.0).isCloseTo(sequences, within(0.01));
        assertThat(whole.blocks() / 512.0).isBetween(5.2, 5.3);
        assertThat(sequences).isBetween(6.9, 7.0);
        assertThat(p.fits()).isTrue();
    }

    /**
     * Sequences of 4,200 tokens reach 263 blocks, five more than a window's 258: a pool sized from a 6 GiB budget saves
     * less than one step's blocks cost it, so the plan keeps one pool.
     */
    @Test
    void aPoolSizedFromTheBudgetThatSavesNothingIsNotTaken() {
        MemoryBudget budget = new MemoryBudget(6 * GIB, "config", false);
        KvCachePlan p = plan(budget, GEMMA2_2B, 2800, 200, 4200, WindowCache.WINDOW);
        assertThat(p.window()).isEqualTo(KvCachePlan.WindowPool.NONE);
        assertThat(p.fits()).isTrue();
        // the same budget for sequences of 8,192 tokens takes it
        assertThat(plan(budget, GEMMA2_2B, 2800, 200, 8192, WindowCache.WINDOW).window().sizing()).isEqualTo(KvCachePlan.Sizing.BALANCED);
    }

    @Test
    void aPoolSizedFromTheBudgetHoldsAtLeastOneLongestSequenceInChunks() {
        // no room at all: the pool still holds what one sequence of 8,192 tokens takes at once in chunks of 512
        assertThat(KvCachePlan.balancedPoolBlocks(0, GEMMA2_2B.window(), 16, 8192, 512)).isEqualTo((4095 + 512 + 15) / 16 + 1);
        // sequences shorter than that take all their blocks
        assertThat(KvCachePlan.balancedPoolBlocks(0, GEMMA2_2B.window(), 16, 1000, 512)).isEqualTo(63);
        assertThat(KvCachePlan.balancedPoolBlocks(2.5, GEMMA2_2B.window(), 16, 8192, 512)).isEqualTo(645 + 32);
        assertThat(KvCachePlan.balancedSequences(-1, 1, 1, 4096, 16, 8192, 512)).isZero();
    }

    /** 2,500 MiB: a 32,768-token sequence fits only with the windows apart, and a refusal with them full says so. */
    @Test
    void aSequenceThatFitsOnlyWithTheWindowsApartIsRefusedWithThemFullNamingTheSetting() {
        MemoryBudget budget = new MemoryBudget(2500 * MIB, "config", false);
        KvCachePlan full = plan(budget, GEMMA3_1B, 1014, 621, 32768, WindowCache.FULL);
        assertThat(full.fits()).isFalse();
        assertThat(full.refusal()).contains("one sequence of 32768 tokens needs 2048 blocks: keep the sliding-window layers' windows "
                + "apart (kvCache.slidingWindow: window), give the pod more memory");
        KvCachePlan apart = plan(budget, GEMMA3_1B, 1014, 621, 32768, WindowCache.WINDOW);
        assertThat(apart.fits()).isTrue();
        assertThat(apart.tokens()).isGreaterThanOrEqualTo(32768);
        // a model without windows is not told of them
        assertThat(plan(budget, ONE_B, 1014, 621, 131072, WindowCache.FULL).refusal()).doesNotContain("slidingWindow");
    }
}
