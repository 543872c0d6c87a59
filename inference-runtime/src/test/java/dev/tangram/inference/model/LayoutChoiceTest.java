package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.kernels.WeightLayout;
import org.junit.jupiter.api.Test;

class LayoutChoiceTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void aConfiguredLayoutIsTakenAsItIsWhateverTheMemory() {
        assertThat(LayoutChoice.choose(WeightLayout.LANES, 8 * GIB, 4 * GIB, 3 * GIB))
                .isEqualTo(new LayoutChoice(WeightLayout.LANES, "configured"));
        assertThat(LayoutChoice.choose(WeightLayout.ROWS, MIB, 64 * GIB, GIB)).isEqualTo(new LayoutChoice(WeightLayout.ROWS, "configured"));
    }

    @Test
    void autoTakesLanesWhenTheCopyFitsBesideTheHeapAndTheReserve() {
        // 6 GiB pod, heap of up to 3.6 GiB (60 %), 1,252 MiB of Q8_0: 6144 - 3686 - 512 = 1946 MiB of room
        LayoutChoice c = LayoutChoice.choose(WeightLayout.AUTO, 1252 * MIB, 6 * GIB, 3686 * MIB);
        assertThat(c.layout()).isEqualTo(WeightLayout.LANES);
        assertThat(c.reason()).isEqualTo("auto: 1252.0 MiB to rearrange, 6.0 GiB of memory, a heap of up to 3.6 GiB and 512 MiB kept for the JVM");
        // exactly at the edge still fits
        assertThat(LayoutChoice.choose(WeightLayout.AUTO, 1946 * MIB, 6 * GIB, 3686 * MIB).layout()).isEqualTo(WeightLayout.LANES);
    }

    @Test
    void autoKeepsRowsWhenTheCopyWouldNotFitAndSaysHowToForceIt() {
        LayoutChoice c = LayoutChoice.choose(WeightLayout.AUTO, 1947 * MIB, 6 * GIB, 3686 * MIB);
        assertThat(c.layout()).isEqualTo(WeightLayout.ROWS);
        assertThat(c.reason()).contains("1947.0 MiB to rearrange").contains("would not fit").contains("engine.weightLayout: lanes")
                .contains("TANGRAM_JAVA_OPTS=-Xmx");
        // an 8B Q8_0 model in a 12 GiB pod whose heap may take 60 %
        assertThat(LayoutChoice.choose(WeightLayout.AUTO, 8100 * MIB, 12 * GIB, 7373 * MIB).layout()).isEqualTo(WeightLayout.ROWS);
    }

    @Test
    void aServersBoundedHeapLeavesALargeModelsCopyTheRoomItsMaximumWouldNot() {
        // the 30B mixture's 18.0 GiB of lanes on a machine of 23.5 GiB: beside a 14.1 GiB heap's maximum it does not fit,
        // beside the 3.2 GiB a server with a 21,500 MiB budget fills, it does
        long lanes = 18_400 * MIB;
        long memory = 23_500 * MIB;
        assertThat(LayoutChoice.choose(WeightLayout.AUTO, lanes, memory, HeapUse.maximum(14_400 * MIB)).layout()).isEqualTo(WeightLayout.ROWS);
        HeapUse bounded = HeapUse.serving(14_400 * MIB, 200 * MIB, 1792 * MIB, GIB);
        LayoutChoice c = LayoutChoice.choose(WeightLayout.AUTO, lanes, memory, bounded);
        assertThat(c.layout()).isEqualTo(WeightLayout.LANES);
        assertThat(c.reason()).isEqualTo("auto: 18400.0 MiB to rearrange, 22.9 GiB of memory, " + bounded.how() + " and 512 MiB kept for the JVM");
    }

    @Test
    void autoWithNothingToRearrangeKeepsRows() {
        assertThat(LayoutChoice.choose(WeightLayout.AUTO, 0, 64 * GIB, GIB))
                .isEqualTo(new LayoutChoice(WeightLayout.ROWS, "auto: no Q8_0/Q4_0/K-quant matrix to rearrange"));
    }

    @Test
    void aChoiceIsNeverAuto() {
        assertThatThrownBy(() -> new LayoutChoice(WeightLayout.AUTO, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
