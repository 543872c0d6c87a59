package dev.tangram.extender.placement;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class VictimSelectorTest {
    /** Victims holding GPUs: a 4, b 2, c 2; the pod needs 4 more GPUs than are free. */
    private final Map<String, Integer> gpus = Map.of("a", 4, "b", 2, "c", 2);

    private boolean fitsWithout(Set<String> gone) {
        return gone.stream().mapToInt(v -> gpus.getOrDefault(v, 0)).sum() >= 4;
    }

    @Test
    void keepsOnlyTheGpuHoldersWhoseDevicesAreNeededAndEveryOtherVictim() {
        List<String> narrowed = VictimSelector.narrow(List.of("a", "b", "c", "cpu-hog"), gpus::containsKey, this::fitsWithout).orElseThrow();
        assertThat(narrowed).containsExactly("b", "c", "cpu-hog");
    }

    @Test
    void dropsTheNodeWhenEvictingEveryVictimStillLeavesTooFewGpus() {
        assertThat(VictimSelector.narrow(List.of("b"), gpus::containsKey, this::fitsWithout)).isEmpty();
    }

    @Test
    void dropsTheNodeWhenNoVictimIsNeeded() {
        assertThat(VictimSelector.narrow(List.of("a"), gpus::containsKey, gone -> true)).isEmpty();
    }
}
