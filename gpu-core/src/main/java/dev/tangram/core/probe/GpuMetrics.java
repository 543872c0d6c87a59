package dev.tangram.core.probe;

/**
 * One reading of a GPU's gauges and counters.
 *
 * @param gpuUtilizationPercent    SM busy percentage over the last sample period
 * @param memoryUtilizationPercent memory controller busy percentage
 * @param memoryUsedMib            framebuffer memory in use
 * @param memoryTotalMib           framebuffer memory in all
 * @param temperatureCelsius       GPU core temperature
 * @param powerWatts               power draw
 * @param eccCorrected             corrected (single-bit) ECC errors since the driver loaded; -1 when ECC is off or unsupported
 * @param eccUncorrected           uncorrected (double-bit) ECC errors since the driver loaded; -1 when ECC is off or unsupported
 */
public record GpuMetrics(int gpuUtilizationPercent, int memoryUtilizationPercent, long memoryUsedMib, long memoryTotalMib,
                         int temperatureCelsius, double powerWatts, long eccCorrected, long eccUncorrected) {
}
