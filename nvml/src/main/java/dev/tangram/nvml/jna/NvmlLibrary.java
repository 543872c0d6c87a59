package dev.tangram.nvml.jna;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML functions Tangram calls, as JNA maps them from {@code nvml.h}. Every function answers an {@code nvmlReturn_t};
 * handles ({@code nvmlDevice_t}, {@code nvmlGpuInstance_t}, {@code nvmlComputeInstance_t}, {@code nvmlEventSet_t}) are
 * opaque pointers. Only {@link Nvml} calls these, and it checks every return code and pointer.
 */
public interface NvmlLibrary extends Library {
    int NVML_SUCCESS = 0;
    int NVML_ERROR_UNINITIALIZED = 1;
    int NVML_ERROR_INVALID_ARGUMENT = 2;
    int NVML_ERROR_NOT_SUPPORTED = 3;
    int NVML_ERROR_NO_PERMISSION = 4;
    int NVML_ERROR_NOT_FOUND = 6;
    int NVML_ERROR_INSUFFICIENT_SIZE = 7;
    int NVML_ERROR_DRIVER_NOT_LOADED = 9;
    int NVML_ERROR_TIMEOUT = 10;
    int NVML_ERROR_LIBRARY_NOT_FOUND = 12;
    int NVML_ERROR_FUNCTION_NOT_FOUND = 13;
    int NVML_ERROR_GPU_IS_LOST = 15;
    int NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18;
    int NVML_ERROR_INSUFFICIENT_RESOURCES = 23;
    int NVML_ERROR_GPU_NOT_FOUND = 28;
    int NVML_ERROR_UNKNOWN = 999;

    int NVML_DEVICE_UUID_V2_BUFFER_SIZE = 96;
    int NVML_DEVICE_NAME_V2_BUFFER_SIZE = 96;
    int NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE = 80;
    int NVML_NVLINK_MAX_LINKS = 18;
    /** {@code nvmlAffinityScope_t}: NUMA node (the other is socket). */
    int AFFINITY_SCOPE_NODE = 0;
    /** Words of the NUMA node set asked for: 256 nodes. */
    int NUMA_NODE_SET_WORDS = 4;

    int NVML_TEMPERATURE_GPU = 0;
    int NVML_MEMORY_ERROR_TYPE_CORRECTED = 0;
    int NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1;
    int NVML_VOLATILE_ECC = 0;
    int NVML_FEATURE_ENABLED = 1;
    int NVML_DEVICE_MIG_ENABLE = 1;
    int NVML_NVLINK_DEVICE_TYPE_GPU = 0;
    int NVML_NVLINK_DEVICE_TYPE_SWITCH = 2;
    long NVML_EVENT_TYPE_XID_CRITICAL_ERROR = 0x8L;
    /** NVML_GPU_INSTANCE_PROFILE_* indices run 0..NVML_GPU_INSTANCE_PROFILE_COUNT-1 (13 in r550 headers). */
    int NVML_GPU_INSTANCE_PROFILE_COUNT = 13;
    int NVML_COMPUTE_INSTANCE_PROFILE_COUNT = 9;
    int NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED = 0;

    int nvmlInit_v2();

    int nvmlShutdown();

    String nvmlErrorString(int result);

    int nvmlSystemGetDriverVersion(byte[] version, int length);

    int nvmlSystemGetCudaDriverVersion(IntByReference cudaDriverVersion);

    int nvmlDeviceGetCount_v2(IntByReference deviceCount);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetMinorNumber(Pointer device, IntByReference minorNumber);

    int nvmlDeviceGetMemoryInfo(Pointer device, NvmlStructs.Memory memory);

    int nvmlDeviceGetPciInfo_v3(Pointer device, NvmlStructs.PciInfo pci);

    /** {@code nodeSet}: a bit per NUMA node, 64 to a word ({@code unsigned long} on LP64 Linux); scope 0 = node, 1 = socket. */
    int nvmlDeviceGetMemoryAffinity(Pointer device, int nodeSetSize, long[] nodeSet, int scope);

    int nvmlDeviceGetArchitecture(Pointer device, IntByReference arch);

    int nvmlDeviceGetCudaComputeCapability(Pointer device, IntByReference major, IntByReference minor);

    int nvmlDeviceGetTopologyCommonAncestor(Pointer device1, Pointer device2, IntByReference pathInfo);

    int nvmlDeviceGetNvLinkState(Pointer device, int link, IntByReference isActive);

    int nvmlDeviceGetNvLinkRemotePciInfo_v2(Pointer device, int link, NvmlStructs.PciInfo pci);

    int nvmlDeviceGetNvLinkRemoteDeviceType(Pointer device, int link, IntByReference type);

    int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

    int nvmlDeviceGetMaxMigDeviceCount(Pointer device, IntByReference count);

    int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, PointerByReference migDevice);

    int nvmlDeviceGetGpuInstanceId(Pointer migDevice, IntByReference id);

    int nvmlDeviceGetComputeInstanceId(Pointer migDevice, IntByReference id);

    int nvmlDeviceGetGpuInstanceById(Pointer device, int id, PointerByReference gpuInstance);

    int nvmlGpuInstanceGetInfo(Pointer gpuInstance, NvmlStructs.GpuInstanceInfo info);

    int nvmlDeviceGetGpuInstanceProfileInfo(Pointer device, int profile, NvmlStructs.GpuInstanceProfileInfo info);

    int nvmlDeviceCreateGpuInstanceWithPlacement(Pointer device, int profileId, NvmlStructs.GpuInstancePlacement placement,
                                                 PointerByReference gpuInstance);

    int nvmlGpuInstanceGetComputeInstanceProfileInfo(Pointer gpuInstance, int profile, int engProfile,
                                                     NvmlStructs.ComputeInstanceProfileInfo info);

    int nvmlGpuInstanceCreateComputeInstance(Pointer gpuInstance, int profileId, PointerByReference computeInstance);

    int nvmlGpuInstanceGetComputeInstanceById(Pointer gpuInstance, int id, PointerByReference computeInstance);

    int nvmlComputeInstanceDestroy(Pointer computeInstance);

    int nvmlGpuInstanceDestroy(Pointer gpuInstance);

    int nvmlDeviceGetUtilizationRates(Pointer device, NvmlStructs.Utilization utilization);

    int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, LongByReference eccCounts);

    int nvmlEventSetCreate(PointerByReference set);

    int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

    int nvmlEventSetWait_v2(Pointer set, NvmlStructs.EventData data, int timeoutms);

    int nvmlEventSetFree(Pointer set);
}
