package dev.tangram.inference.allocation;

import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LlamaConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
}
