package dev.tangram.nvml.jna;

import dev.tangram.core.probe.ProbeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class NvmlErrorsTest {
    @ParameterizedTest
    @CsvSource({
            "2, INVALID_ARGUMENT", "3, NOT_SUPPORTED", "4, NO_PERMISSION", "6, NOT_FOUND", "9, DRIVER_NOT_LOADED", "10, TIMEOUT",
            "12, LIBRARY_NOT_FOUND", "13, NOT_SUPPORTED", "15, GPU_LOST", "23, INSUFFICIENT_RESOURCES", "28, GPU_LOST", "18, UNKNOWN",
            "999, UNKNOWN"})
    void turnsNvmlReturnCodesIntoTypedKinds(int code, ProbeException.Kind kind) {
        ProbeException e = NvmlErrors.of(code, "nvmlSomething");
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).startsWith("nvmlSomething: NVML_");
    }
}
