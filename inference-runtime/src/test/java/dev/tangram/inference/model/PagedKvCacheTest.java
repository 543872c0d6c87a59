package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
            assertThat(cache.halfKeys(l)).hasSize(3 * 2 * CONFIG.kvDim()).containsOnly((short) 0);
            assertThat(cache.halfValues(l)).hasSize(3 * 2 * CONFIG.kvDim()).isNotSameAs(cache.halfKeys(l));
            cache.halfKeys(l)[cache.offset(1, 1)] = Float.floatToFloat16(l + 0.5f);
            cache.halfValues(l)[cache.offset(1, 0) + 3] = Float.floatToFloat16(-(l + 1));
        }
        cache.copyBlock(1, 0);
        for (int l = 0; l < CONFIG.layers(); l++) {
            assertThat(Float.float16ToFloat(cache.halfKeys(l)[cache.offset(0, 1)])).isEqualTo(l + 0.5f);
            assertThat(Float.float16ToFloat(cache.halfValues(l)[cache.offset(0, 0) + 3])).isEqualTo(-(l + 1));
        }
        assertThatThrownBy(() -> cache.keys(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("f16 elements, not floats");
        assertThatThrownBy(() -> new PagedKvCache(CONFIG, 3, 2).halfValues(0)).hasMessageContaining("f32 elements, not halves");
        // half the bytes of floats: 2 × 6 layers × 2 kv heads × 16 × 2 B × 4 slots
        assertThat(PagedKvCache.bytesPerBlock(CONFIG, 4, KvCacheType.F16)).isEqualTo(2L * 6 * 2 * 16 * 2 * 4)
                .isEqualTo(PagedKvCache.bytesPerBlock(CONFIG, 4, KvCacheType.F32) / 2);
    }

    @Test
    void aTypeIsNamedByItsWord() {
        assertThat(KvCacheType.parse("f16")).isEqualTo(KvCacheType.F16);
        assertThat(KvCacheType.parse("F32")).isEqualTo(KvCacheType.F32);
        assertThatThrownBy(() -> KvCacheType.parse("fp8")).hasMessage("expected f16 or f32, got 'fp8'");
    }
}
