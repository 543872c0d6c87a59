package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.kernels.GroupedAttention;
import dev.tangram.inference.kernels.HalfKv;
import dev.tangram.inference.kernels.Q8Kv;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PagedKvCacheTest {
    private static final LlamaConfig CONFIG = new LlamaConfig(6, 64, 4, 2, 16, 128, 512, 2048, 10000f, 1e-5f);

    @Test
    void everyLayerHasItsOwnZeroedKeyAndValueArrays() {
        PagedKvCache cache = new PagedKvCache(CONFIG, 10, 4);
        Set<float[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int l = 0; l < CONFIG.layers(); l++) {
            for (float[] a : new float[][] {cache.keys(l), cache.values(l)}) {
                assertThat(a).hasSize(10 * 4 * CONFIG.kvDim()).containsOnly(0f);
                assertThat(seen.add(a)).as("layer %d's arrays are its own", l).isTrue();
            }
        }
        assertThat(seen).hasSize(2 * CONFIG.layers());
    }

    @Test
    void copyingABlockCopiesItInEveryLayer() {
        PagedKvCache cache = new PagedKvCache(CONFIG, 3, 2);
        for (int l = 0; l < CONFIG.layers(); l++) {
            cache.keys(l)[cache.offset(1, 1)] = l + 1;
            cache.values(l)[cache.offset(1, 0) + 3] = -(l + 1);
        }
        cache.copyBlock(1, 2);
        for (int l = 0; l < CONFIG.layers(); l++) {
            assertThat(cache.keys(l)[cache.offset(2, 1)]).isEqualTo(l + 1);
            assertThat(cache.values(l)[cache.offset(2, 0) + 3]).isEqualTo(-(l + 1));
        }
    }

    @Test
    void aCacheBeyondOneArrayPerLayerOrWithoutBlocksIsRefused() {
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, Integer.MAX_VALUE / 4, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, 0, 16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCacheOfHalvesHoldsShortArraysCopiesThemAndRefusesFloatAccess() {
        PagedKvCache cache = new PagedKvCache(CONFIG, 3, 2, KvCacheType.F16);
        assertThat(cache.type()).isEqualTo(KvCacheType.F16);
        for (int l = 0; l < CONFIG.layers(); l++) {
            HalfKv kv = (HalfKv) cache.narrow(l);
            assertThat(kv.keys()).hasSize(3 * 2 * CONFIG.kvDim()).containsOnly((short) 0);
            assertThat(kv.values()).hasSize(3 * 2 * CONFIG.kvDim()).isNotSameAs(kv.keys());
            assertThat(kv).isNotSameAs(cache.narrow((l + 1) % CONFIG.layers()));
            kv.keys()[cache.offset(1, 1)] = Float.floatToFloat16(l + 0.5f);
            kv.values()[cache.offset(1, 0) + 3] = Float.floatToFloat16(-(l + 1));
        }
        cache.copyBlock(1, 0);
        for (int l = 0; l < CONFIG.layers(); l++) {
            HalfKv kv = (HalfKv) cache.narrow(l);
            assertThat(Float.float16ToFloat(kv.keys()[cache.offset(0, 1)])).isEqualTo(l + 0.5f);
            assertThat(Float.float16ToFloat(kv.values()[cache.offset(0, 0) + 3])).isEqualTo(-(l + 1));
        }
        assertThatThrownBy(() -> cache.keys(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("f16 elements, not floats");
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, 3, 2).narrow(0)).hasMessageContaining("f32 elements, not narrower ones");
        // half the bytes of floats: 2 × 6 layers × 2 kv heads × 16 × 2 B × 4 slots
        assertThat(PagedKvCache.bytesPerBlock(CONFIG, 4, KvCacheType.F16)).isEqualTo(2L * 6 * 2 * 16 * 2 * 4)
                .isEqualTo(PagedKvCache.bytesPerBlock(CONFIG, 4, KvCacheType.F32) / 2);
    }

    /** Q8_0 blocks: 34 bytes per 32 elements, whole blocks copied with their scales, and only for heads of a multiple of 32. */
    @Test
    void aCacheOfQ8BlocksCopiesBlocksWithTheirScalesAndNeedsHeadsOfAMultipleOf32() {
        LlamaConfig wide = new LlamaConfig(3, 128, 4, 2, 32, 256, 512, 2048, 10000f, 1e-5f);
        PagedKvCache cache = new PagedKvCache(wide, 3, 2, KvCacheType.Q8_0);
        float[] k = new float[wide.kvDim()];
        float[] v = new float[wide.kvDim()];
        for (int i = 0; i < k.length; i++) {
            k[i] = i % 7 - 3.5f;
            v[i] = (i % 5) * 0.25f;
        }
        for (int l = 0; l < wide.layers(); l++) {
            assertThat(cache.narrow(l)).isInstanceOf(Q8Kv.class);
            cache.narrow(l).store(k, 0, v, 0, 1, 1);
        }
        cache.copyBlock(1, 2);
        int run = 2 * wide.headDim();
        for (int l = 0; l < wide.layers(); l++) {
            float[][] copied = {new float[run], new float[run]};
            float[][] original = {new float[run], new float[run]};
            cache.narrow(l).widen(GroupedAttention.headRun(2, 1, 2, 2, wide.headDim()), copied[0], copied[1], 0);
            cache.narrow(l).widen(GroupedAttention.headRun(1, 1, 2, 2, wide.headDim()), original[0], original[1], 0);
            assertThat(copied).isDeepEqualTo(original);
            assertThat(copied[0]).isNotEqualTo(new float[run]);
            assertThat(copied[1]).isNotEqualTo(new float[run]);
        }
        // 2 × 3 layers × (2 kv heads × 32 × 4 slots) elements × 34 / 32 B
        assertThat(PagedKvCache.bytesPerBlock(wide, 4, KvCacheType.Q8_0)).isEqualTo(2L * 3 * 2 * 32 * 4 * 34 / 32);
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, 3, 2, KvCacheType.Q8_0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a KV cache of q8_0 needs a head size that is a multiple of 32; this model's is 16");
    }

    @Test
    void aTypeIsNamedByItsWord() {
        assertThat(KvCacheType.parse("f16")).isEqualTo(KvCacheType.F16);
        assertThat(KvCacheType.parse("F32")).isEqualTo(KvCacheType.F32);
        assertThat(KvCacheType.parse("q8_0")).isEqualTo(KvCacheType.Q8_0);
        assertThatThrownBy(() -> KvCacheType.parse("fp8")).hasMessage("expected f16, f32 or q8_0, got 'fp8'");
        assertThat(KvCacheType.Q8_0.bytesPerElement()).isEqualTo(1.0625);
    }

    /** Gemma-3-like: layers 0, 1, 3 and 4 slide a window, 2 and 5 attend to all. */
    private static final LlamaConfig WINDOWED = new LlamaConfig(6, 64, 4, 2, 16, 128, 512, 2048, 10000f, 1e-5f, Architecture.GEMMA3, 1f,
            DecoderScales.NONE, new SlidingWindow(8, SlidingWindow.pattern(3, 6), 10000f, 1f));

    @Test
    void slidingWindowLayersInAPoolOfTheirOwnGetThatPoolsBlocks() {
        PagedKvCache cache = new PagedKvCache(WINDOWED, 10, 3, 4, KvCacheType.F32);
        assertThat(cache.numBlocks()).isEqualTo(10);
        assertThat(cache.windowBlocks()).isEqualTo(3);
        assertThat(cache.windowedLayers()).isEqualTo(4);
        for (int l = 0; l < WINDOWED.layers(); l++) {
            boolean windowed = l % 3 < 2;
            assertThat(cache.windowed(l)).as("layer %d", l).isEqualTo(windowed);
            assertThat(cache.keys(l)).hasSize((windowed ? 3 : 10) * 4 * WINDOWED.kvDim());
            assertThat(cache.values(l)).hasSize((windowed ? 3 : 10) * 4 * WINDOWED.kvDim());
        }
        PagedKvCache halves = new PagedKvCache(WINDOWED, 10, 3, 4, KvCacheType.F16);
        assertThat(((HalfKv) halves.narrow(0)).keys()).hasSize(3 * 4 * WINDOWED.kvDim());
        assertThat(((HalfKv) halves.narrow(2)).keys()).hasSize(10 * 4 * WINDOWED.kvDim());
        // a block of each pool: 2 × layers × 2 kv heads × 16 × 2 B × 4 slots
        assertThat(PagedKvCache.bytesPerBlock(WINDOWED, 4, 4, KvCacheType.F16)).isEqualTo(2L * 4 * 2 * 16 * 2 * 4);
        assertThat(PagedKvCache.bytesPerBlock(WINDOWED, 4, KvCacheType.F16)).isEqualTo(2L * 6 * 2 * 16 * 2 * 4);
        // without a pool of their own, every layer is in the one
        PagedKvCache one = new PagedKvCache(WINDOWED, 10, 4, KvCacheType.F32);
        assertThat(one.windowed(0)).isFalse();
        assertThat(one.windowedLayers()).isZero();
        assertThat(one.keys(0)).hasSize(10 * 4 * WINDOWED.kvDim());
        assertThatThrownBy(() -> cache.copyBlock(1, 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, 10, 3, 4, KvCacheType.F32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the model has none");
    }
}
