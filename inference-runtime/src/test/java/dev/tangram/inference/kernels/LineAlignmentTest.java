package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineAlignmentTest {
    @Test
    void objectsOnWholeLinesPutTheFirstLineOfFloatsJustPastTheHeader() {
        assertThat(LineAlignment.firstAlignedFloat(64, 16)).isEqualTo(12);
        assertThat(LineAlignment.firstAlignedFloat(64, 12)).isEqualTo(13);
        assertThat(LineAlignment.firstAlignedFloat(128, 16)).isEqualTo(12);
        assertThat(LineAlignment.firstAlignedFloat(64, 64)).isZero();
        assertThat(LineAlignment.firstAlignedFloat(256, 80)).isEqualTo(12);
    }

    @Test
    void objectsOffTheLinesOrAnUnknownLayoutPlaceNothing() {
        assertThat(LineAlignment.firstAlignedFloat(8, 16)).isZero();
        assertThat(LineAlignment.firstAlignedFloat(32, 16)).isZero();
        assertThat(LineAlignment.firstAlignedFloat(0, 16)).isZero();
        assertThat(LineAlignment.firstAlignedFloat(64, -1)).isZero();
        assertThat(LineAlignment.firstAlignedFloat(64, 14)).isZero();
    }

    @Test
    void thisJvmStartedWithObjectsOnLinesIsSeenToBe() {
        // the module's test JVM runs with -XX:ObjectAlignmentInBytes=64 (pom.xml), as bin/tangram runs the engine; a float
        // array's header is 12 or 16 bytes, never a whole line, so some index past 0 starts one
        assertThat(LineAlignment.firstAlignedFloat()).isBetween(1, LineAlignment.LINE_FLOATS - 1);
    }
}
