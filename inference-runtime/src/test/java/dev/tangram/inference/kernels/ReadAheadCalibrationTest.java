package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tangram.inference.gguf.GgmlType;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadAheadCalibrationTest {
    @AfterEach
    void restoreTheDefault() {
        ReadAhead.setDistance(ReadAhead.DEFAULT_DISTANCE);
    }

    @Test
    void theFastestBestPassWinsAndTiesGoToTheEarliest() {
        // by the best pass, not the mean: candidate 0's one slow pass (interference) does not count against it
        assertThat(ReadAheadCalibration.choose(new long[][] {{100, 900, 101}, {120, 121, 122}, {110, 111, 112}})).isEqualTo(0);
        assertThat(ReadAheadCalibration.choose(new long[][] {{130, 131, 132}, {120, 121, 122}, {110, 111, 112}})).isEqualTo(2);
        // within 3 % of the fastest is a tie, and the earlier candidate (fewer touches) takes it
        assertThat(ReadAheadCalibration.choose(new long[][] {{102, 102, 102}, {100, 100, 100}, {130, 130, 130}})).isEqualTo(0);
        assertThat(ReadAheadCalibration.choose(new long[][] {{104, 104, 104}, {100, 100, 100}, {101, 101, 101}})).isEqualTo(1);
        assertThatThrownBy(() -> ReadAheadCalibration.choose(new long[0][])).hasMessageContaining("no candidates");
        assertThatThrownBy(() -> ReadAheadCalibration.choose(new long[][] {{}})).hasMessageContaining("without timed passes");
    }

    @Test
    void onlyDistinctQ8AndQ4MatricesAreTimedUpToTheCap() {
        WeightMatrix q8 = matrix(GgmlType.Q8_0, 64, 256, 1);
        WeightMatrix q4 = matrix(GgmlType.Q4_0, 64, 256, 2);
        WeightMatrix f32 = matrix(GgmlType.F32, 64, 256, 3);
        WeightMatrix q8b = matrix(GgmlType.Q8_0, 64, 256, 4);
        long each = q8.bytes();
        assertThat(ReadAheadCalibration.timedMatrices(List.of(q8, f32, q4, q8, q8b), Long.MAX_VALUE)).containsExactly(q8, q4, q8b);
        // the cap stops at the first matrix that would pass it; the first is kept whatever its size
        assertThat(ReadAheadCalibration.timedMatrices(List.of(q8, q8b, q4), 2 * each)).containsExactly(q8, q8b);
        assertThat(ReadAheadCalibration.timedMatrices(List.of(q8, q8b), 1)).containsExactly(q8);
        assertThat(ReadAheadCalibration.timedMatrices(List.of(f32), Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void aConfiguredDistanceIsSetAsItIs() {
        try (WorkerPool pool = new WorkerPool(2)) {
            MatmulKernel kernel = new MatmulKernel(pool);
            var choice = ReadAheadCalibration.apply(ReadAheadSetting.OFF, kernel, List.of());
            assertThat(choice.distance()).isZero();
            assertThat(ReadAhead.distance()).isZero();
            assertThat(choice.describe()).isEqualTo("read-ahead off (configured)");
            ReadAheadCalibration.apply(new ReadAheadSetting(false, 4096), kernel, List.of());
            assertThat(ReadAhead.distance()).isEqualTo(4096);
        }
    }

    @Test
    void tooFewBytesToTimeKeepTheDefault() {
        ReadAhead.setDistance(0);
        try (WorkerPool pool = new WorkerPool(2)) {
            var choice = ReadAheadCalibration.apply(ReadAheadSetting.AUTO, new MatmulKernel(pool), List.of(matrix(GgmlType.Q8_0, 64, 256, 1)));
            assertThat(choice.distance()).isEqualTo(ReadAhead.DEFAULT_DISTANCE);
            assertThat(ReadAhead.distance()).isEqualTo(ReadAhead.DEFAULT_DISTANCE);
            assertThat(choice.describe()).startsWith("read-ahead 2 KiB (default: 0.0 MiB of Q8_0/Q4_0 weights, fewer than the 64.0 MiB");
        }
    }

    @Test
    void matricesInLanesAreNotTimedAndWithNoneLeftInRowsReadAheadIsOff() {
        ReadAhead.setDistance(ReadAhead.DEFAULT_DISTANCE);
        try (WorkerPool pool = new WorkerPool(2); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            WeightMatrix lanes = LaneLayout.rearrange(matrix(GgmlType.Q8_0, 64, 256, 1), arena, pool);
            assertThat(lanes).isInstanceOf(LaneGroupMatrix.class);
            assertThat(ReadAheadCalibration.timedMatrices(List.of(lanes), Long.MAX_VALUE)).isEmpty();
            var choice = ReadAheadCalibration.apply(ReadAheadSetting.AUTO, new MatmulKernel(pool), List.of(lanes), 1, Long.MAX_VALUE);
            assertThat(choice.distance()).isZero();
            assertThat(ReadAhead.distance()).isZero();
            assertThat(choice.describe()).isEqualTo("read-ahead off (no Q8_0/Q4_0 matrix reads ahead: none in the file's row layout)");
        }
    }

    @Test
    void autoTimesEveryCandidateAndKeepsOneOfThem() {
        // with the lower bound lowered, so that a test-sized matrix is timed: which candidate wins depends on the machine
        List<WeightMatrix> ms = List.of(matrix(GgmlType.Q8_0, 512, 2048, 1), matrix(GgmlType.Q4_0, 512, 2048, 2));
        try (WorkerPool pool = new WorkerPool(2)) {
            var choice = ReadAheadCalibration.apply(ReadAheadSetting.AUTO, new MatmulKernel(pool), ms, 1, Long.MAX_VALUE);
            assertThat(ReadAheadCalibration.CANDIDATES).contains(choice.distance());
            assertThat(ReadAhead.distance()).isEqualTo(choice.distance());
            assertThat(choice.reason()).matches("timed: off [0-9.]+ ms, 1 KiB [0-9.]+ ms, 2 KiB [0-9.]+ ms; best of 3 passes over 1\\.6 MiB of "
                    + "Q8_0/Q4_0 weights");
        }
    }

    @Test
    void theDistanceNeverChangesAResult() {
        int rows = 66;
        int cols = 2048 + 64; // four runs of 16 blocks and a tail, for Q8_0's tail touches too
        float[] x = QuantizedMatrixTest.random(cols, 7);
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
            WeightMatrix m = matrix(type, rows, cols, 5);
            float[] reference = null;
            try (WorkerPool pool = new WorkerPool(2)) {
                MatmulKernel kernel = new MatmulKernel(pool);
                for (long d : new long[] {0, 64, 1024, 2048, ReadAhead.MAX_DISTANCE}) {
                    ReadAhead.setDistance(d);
                    float[] out = new float[rows];
                    kernel.multiply(m, x, 1, out);
                    if (reference == null) {
                        reference = out;
                    }
                    if (type == GgmlType.Q8_0) {
                        assertThat(out).as("%s at %d bytes ahead", type, d).containsExactly(reference);
                    } else {
                        // Q4_0's two-row kernel sums lanes with reduceLanes, whose order differs between the interpreter
                        // and C2 (Q4Matrix.dot2), so its last bits depend on what is compiled when; the touched bytes
                        // themselves (sums of hundreds) would show far beyond this
                        assertThat(out).as("%s at %d bytes ahead", type, d).containsExactly(reference, within(1e-3f));
                    }
                }
            }
        }
    }

    @Test
    void settingsParseAndBadOnesAreNamed() {
        assertThat(ReadAheadSetting.parse("auto")).isEqualTo(ReadAheadSetting.AUTO);
        assertThat(ReadAheadSetting.parse(" OFF ")).isEqualTo(ReadAheadSetting.OFF);
        assertThat(ReadAheadSetting.parse("0")).isEqualTo(ReadAheadSetting.OFF);
        assertThat(ReadAheadSetting.parse("1024")).isEqualTo(new ReadAheadSetting(false, 1024));
        assertThat(ReadAheadSetting.parse("1024").toString()).isEqualTo("1024");
        assertThatThrownBy(() -> ReadAheadSetting.parse("1000")).hasMessageContaining("multiple of 64").hasMessageContaining("got 1000");
        assertThatThrownBy(() -> ReadAheadSetting.parse("-64")).hasMessageContaining("got -64");
        assertThatThrownBy(() -> ReadAheadSetting.parse("131072")).hasMessageContaining("up to 65536");
        assertThatThrownBy(() -> ReadAheadSetting.parse("fast")).hasMessage("read-ahead must be auto, off or a number of bytes, got 'fast'");
        assertThatThrownBy(() -> ReadAhead.setDistance(63)).hasMessageContaining("got 63");
    }

    private static WeightMatrix matrix(GgmlType type, int rows, int cols, long seed) {
        return QuantizedMatrixTest.encode(type, QuantizedMatrixTest.random(rows * cols, seed), rows, cols);
    }
}
