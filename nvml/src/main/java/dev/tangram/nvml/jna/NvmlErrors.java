package dev.tangram.nvml.jna;

import dev.tangram.core.probe.ProbeException;

import static dev.tangram.nvml.jna.NvmlLibrary.*;

/** NVML return codes as the typed {@link ProbeException} kinds callers act on. */
public final class NvmlErrors {
    private NvmlErrors() {
    }

    public static ProbeException.Kind kindOf(int code) {
        return switch (code) {
            case NVML_ERROR_INVALID_ARGUMENT -> ProbeException.Kind.INVALID_ARGUMENT;
            case NVML_ERROR_NOT_SUPPORTED, NVML_ERROR_FUNCTION_NOT_FOUND -> ProbeException.Kind.NOT_SUPPORTED;
            case NVML_ERROR_NO_PERMISSION -> ProbeException.Kind.NO_PERMISSION;
            case NVML_ERROR_NOT_FOUND -> ProbeException.Kind.NOT_FOUND;
            case NVML_ERROR_DRIVER_NOT_LOADED -> ProbeException.Kind.DRIVER_NOT_LOADED;
            case NVML_ERROR_TIMEOUT -> ProbeException.Kind.TIMEOUT;
            case NVML_ERROR_LIBRARY_NOT_FOUND -> ProbeException.Kind.LIBRARY_NOT_FOUND;
            case NVML_ERROR_GPU_IS_LOST, NVML_ERROR_GPU_NOT_FOUND -> ProbeException.Kind.GPU_LOST;
            case NVML_ERROR_INSUFFICIENT_RESOURCES -> ProbeException.Kind.INSUFFICIENT_RESOURCES;
            default -> ProbeException.Kind.UNKNOWN;
        };
    }

    /** The NVML constant's name for a code, for messages. */
    public static String nameOf(int code) {
        return switch (code) {
            case NVML_SUCCESS -> "NVML_SUCCESS";
            case NVML_ERROR_UNINITIALIZED -> "NVML_ERROR_UNINITIALIZED";
            case NVML_ERROR_INVALID_ARGUMENT -> "NVML_ERROR_INVALID_ARGUMENT";
            case NVML_ERROR_NOT_SUPPORTED -> "NVML_ERROR_NOT_SUPPORTED";
            case NVML_ERROR_NO_PERMISSION -> "NVML_ERROR_NO_PERMISSION";
            case NVML_ERROR_NOT_FOUND -> "NVML_ERROR_NOT_FOUND";
            case NVML_ERROR_INSUFFICIENT_SIZE -> "NVML_ERROR_INSUFFICIENT_SIZE";
            case NVML_ERROR_DRIVER_NOT_LOADED -> "NVML_ERROR_DRIVER_NOT_LOADED";
            case NVML_ERROR_TIMEOUT -> "NVML_ERROR_TIMEOUT";
            case NVML_ERROR_LIBRARY_NOT_FOUND -> "NVML_ERROR_LIBRARY_NOT_FOUND";
            case NVML_ERROR_FUNCTION_NOT_FOUND -> "NVML_ERROR_FUNCTION_NOT_FOUND";
            case NVML_ERROR_GPU_IS_LOST -> "NVML_ERROR_GPU_IS_LOST";
            case NVML_ERROR_LIB_RM_VERSION_MISMATCH -> "NVML_ERROR_LIB_RM_VERSION_MISMATCH";
            case NVML_ERROR_INSUFFICIENT_RESOURCES -> "NVML_ERROR_INSUFFICIENT_RESOURCES";
            case NVML_ERROR_GPU_NOT_FOUND -> "NVML_ERROR_GPU_NOT_FOUND";
            case NVML_ERROR_UNKNOWN -> "NVML_ERROR_UNKNOWN";
            default -> "NVML error " + code;
        };
    }

    public static ProbeException of(int code, String what) {
        return new ProbeException(kindOf(code), code, what + ": " + nameOf(code), null);
    }
}
