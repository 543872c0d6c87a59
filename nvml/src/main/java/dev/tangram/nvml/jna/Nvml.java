package dev.tangram.nvml.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.tangram.core.probe.ProbeException;

import java.util.function.IntSupplier;

import static dev.tangram.nvml.jna.NvmlLibrary.*;

/**
 * Checked NVML calls: every return code becomes a {@link ProbeException}, every returned handle is checked for NULL,
 * every buffer is passed with its true length, and a function the installed library lacks is {@code NOT_SUPPORTED}
 * instead of an {@link UnsatisfiedLinkError}.
 */
final class Nvml {
    private final NvmlLibrary lib;

    Nvml(NvmlLibrary lib) {
        this.lib = lib;
    }

    NvmlLibrary library() {
        return lib;
    }

    /** Runs one call; answers its return code (a missing symbol answers NVML_ERROR_FUNCTION_NOT_FOUND). */
    static int rc(IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (UnsatisfiedLinkError e) {
            return NVML_ERROR_FUNCTION_NOT_FOUND;
        }
    }

    static void check(int code, String what) {
        if (code != NVML_SUCCESS) {
            throw NvmlErrors.of(code, what);
        }
    }

    private static Pointer handle(PointerByReference ref, String what) {
        Pointer p = ref.getValue();
        if (p == null) {
            throw new ProbeException(ProbeException.Kind.UNKNOWN, what + ": NVML answered success with a NULL handle");
        }
        return p;
    }

    private static <T extends Structure> T read(T s) {
        s.read();
        return s;
    }

    void init() {
        check(rc(lib::nvmlInit_v2), "nvmlInit_v2");
    }

    void shutdown() {
        rc(lib::nvmlShutdown);
    }

    String driverVersion() {
        byte[] buf = new byte[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        check(rc(() -> lib.nvmlSystemGetDriverVersion(buf, buf.length)), "nvmlSystemGetDriverVersion");
        return Native.toString(buf);
    }

    /** The CUDA version the driver supports, {@code MAJOR.MINOR}. */
    String cudaDriverVersion() {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlSystemGetCudaDriverVersion(v)), "nvmlSystemGetCudaDriverVersion");
        return v.getValue() / 1000 + "." + (v.getValue() % 1000) / 10;
    }

    int deviceCount() {
        IntByReference n = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetCount_v2(n)), "nvmlDeviceGetCount_v2");
        if (n.getValue() < 0 || n.getValue() > 1024) {
            throw new ProbeException(ProbeException.Kind.UNKNOWN, "nvmlDeviceGetCount_v2 answered " + n.getValue() + " devices");
        }
        return n.getValue();
    }

    Pointer deviceByIndex(int index) {
        PointerByReference ref = new PointerByReference();
        check(rc(() -> lib.nvmlDeviceGetHandleByIndex_v2(index, ref)), "nvmlDeviceGetHandleByIndex_v2(" + index + ")");
        return handle(ref, "nvmlDeviceGetHandleByIndex_v2(" + index + ")");
    }

    String uuid(Pointer device) {
        byte[] buf = new byte[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        check(rc(() -> lib.nvmlDeviceGetUUID(device, buf, buf.length)), "nvmlDeviceGetUUID");
        return Native.toString(buf);
    }

    String name(Pointer device) {
        byte[] buf = new byte[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
        check(rc(() -> lib.nvmlDeviceGetName(device, buf, buf.length)), "nvmlDeviceGetName");
        return Native.toString(buf);
    }

    int minor(Pointer device) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetMinorNumber(device, v)), "nvmlDeviceGetMinorNumber");
        return v.getValue();
    }

    NvmlStructs.Memory memory(Pointer device) {
        NvmlStructs.Memory m = new NvmlStructs.Memory();
        check(rc(() -> lib.nvmlDeviceGetMemoryInfo(device, m)), "nvmlDeviceGetMemoryInfo");
        return read(m);
    }

    NvmlStructs.PciInfo pci(Pointer device) {
        NvmlStructs.PciInfo p = new NvmlStructs.PciInfo();
        check(rc(() -> lib.nvmlDeviceGetPciInfo_v3(device, p)), "nvmlDeviceGetPciInfo_v3");
        return read(p);
    }

    /**
     * The NUMA node of the CPU memory nearest the GPU, what {@code nvidia-smi topo -m} shows as "NUMA Affinity": the lowest
     * node in NVML's memory affinity at node scope, or -1 when that set is empty. (Not {@code nvmlDeviceGetNumaNodeId},
     * which names the GPU's own NUMA node on platforms where GPU memory is one, and answers nothing useful on x86 nodes.)
     */
    int numaNode(Pointer device) {
        long[] nodeSet = new long[NUMA_NODE_SET_WORDS];
        check(rc(() -> lib.nvmlDeviceGetMemoryAffinity(device, nodeSet.length, nodeSet, AFFINITY_SCOPE_NODE)), "nvmlDeviceGetMemoryAffinity");
        for (int w = 0; w < nodeSet.length; w++) {
            if (nodeSet[w] != 0) {
                return w * Long.SIZE + Long.numberOfTrailingZeros(nodeSet[w]);
            }
        }
        return -1;
    }

    int architecture(Pointer device) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetArchitecture(device, v)), "nvmlDeviceGetArchitecture");
        return v.getValue();
    }

    int[] computeCapability(Pointer device) {
        IntByReference major = new IntByReference();
        IntByReference minor = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetCudaComputeCapability(device, major, minor)), "nvmlDeviceGetCudaComputeCapability");
        return new int[] {major.getValue(), minor.getValue()};
    }

    int commonAncestor(Pointer a, Pointer b) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetTopologyCommonAncestor(a, b, v)), "nvmlDeviceGetTopologyCommonAncestor");
        return v.getValue();
    }

    /** Whether NVLink {@code link} is active; a link the GPU does not have answers the NVML error. */
    boolean nvlinkActive(Pointer device, int link) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetNvLinkState(device, link, v)), "nvmlDeviceGetNvLinkState(" + link + ")");
        return v.getValue() == NVML_FEATURE_ENABLED;
    }

    NvmlStructs.PciInfo nvlinkRemotePci(Pointer device, int link) {
        NvmlStructs.PciInfo p = new NvmlStructs.PciInfo();
        check(rc(() -> lib.nvmlDeviceGetNvLinkRemotePciInfo_v2(device, link, p)), "nvmlDeviceGetNvLinkRemotePciInfo_v2(" + link + ")");
        return read(p);
    }

    int nvlinkRemoteType(Pointer device, int link) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetNvLinkRemoteDeviceType(device, link, v)), "nvmlDeviceGetNvLinkRemoteDeviceType(" + link + ")");
        return v.getValue();
    }

    /** Current MIG mode: true when enabled. NOT_SUPPORTED when the GPU cannot do MIG. */
    boolean migEnabled(Pointer device) {
        IntByReference current = new IntByReference();
        IntByReference pending = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetMigMode(device, current, pending)), "nvmlDeviceGetMigMode");
        return current.getValue() == NVML_DEVICE_MIG_ENABLE;
    }

    int maxMigDevices(Pointer device) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetMaxMigDeviceCount(device, v)), "nvmlDeviceGetMaxMigDeviceCount");
        if (v.getValue() < 0 || v.getValue() > 64) {
            throw new ProbeException(ProbeException.Kind.UNKNOWN, "nvmlDeviceGetMaxMigDeviceCount answered " + v.getValue());
        }
        return v.getValue();
    }

    /** The MIG device handle at {@code index}, or null when that slot is empty (NVML_ERROR_NOT_FOUND). */
    Pointer migDevice(Pointer device, int index) {
        PointerByReference ref = new PointerByReference();
        int code = rc(() -> lib.nvmlDeviceGetMigDeviceHandleByIndex(device, index, ref));
        if (code == NVML_ERROR_NOT_FOUND || code == NVML_ERROR_INVALID_ARGUMENT) {
            return null;
        }
        check(code, "nvmlDeviceGetMigDeviceHandleByIndex(" + index + ")");
        return handle(ref, "nvmlDeviceGetMigDeviceHandleByIndex(" + index + ")");
    }

    int gpuInstanceId(Pointer migDevice) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetGpuInstanceId(migDevice, v)), "nvmlDeviceGetGpuInstanceId");
        return v.getValue();
    }

    int computeInstanceId(Pointer migDevice) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetComputeInstanceId(migDevice, v)), "nvmlDeviceGetComputeInstanceId");
        return v.getValue();
    }

    Pointer gpuInstance(Pointer device, int id) {
        PointerByReference ref = new PointerByReference();
        check(rc(() -> lib.nvmlDeviceGetGpuInstanceById(device, id, ref)), "nvmlDeviceGetGpuInstanceById(" + id + ")");
        return handle(ref, "nvmlDeviceGetGpuInstanceById(" + id + ")");
    }

    NvmlStructs.GpuInstanceInfo gpuInstanceInfo(Pointer gpuInstance) {
        NvmlStructs.GpuInstanceInfo info = new NvmlStructs.GpuInstanceInfo();
        check(rc(() -> lib.nvmlGpuInstanceGetInfo(gpuInstance, info)), "nvmlGpuInstanceGetInfo");
        return read(info);
    }

    /** The GPU instance profile at NVML_GPU_INSTANCE_PROFILE_* index {@code profile}, or null when the GPU has none there. */
    NvmlStructs.GpuInstanceProfileInfo gpuInstanceProfile(Pointer device, int profile) {
        NvmlStructs.GpuInstanceProfileInfo info = new NvmlStructs.GpuInstanceProfileInfo();
        int code = rc(() -> lib.nvmlDeviceGetGpuInstanceProfileInfo(device, profile, info));
        if (code == NVML_ERROR_NOT_SUPPORTED || code == NVML_ERROR_INVALID_ARGUMENT) {
            return null;
        }
        check(code, "nvmlDeviceGetGpuInstanceProfileInfo(" + profile + ")");
        return read(info);
    }

    Pointer createGpuInstance(Pointer device, int profileId, int start, int size) {
        PointerByReference ref = new PointerByReference();
        NvmlStructs.GpuInstancePlacement placement = new NvmlStructs.GpuInstancePlacement(start, size);
        check(rc(() -> lib.nvmlDeviceCreateGpuInstanceWithPlacement(device, profileId, placement, ref)),
                "nvmlDeviceCreateGpuInstanceWithPlacement(profile " + profileId + " at " + start + ")");
        return handle(ref, "nvmlDeviceCreateGpuInstanceWithPlacement");
    }

    /** The compute instance profile at index {@code profile}, or null when the GPU instance has none there. */
    NvmlStructs.ComputeInstanceProfileInfo computeInstanceProfile(Pointer gpuInstance, int profile) {
        NvmlStructs.ComputeInstanceProfileInfo info = new NvmlStructs.ComputeInstanceProfileInfo();
        int code = rc(() -> lib.nvmlGpuInstanceGetComputeInstanceProfileInfo(gpuInstance, profile,
                NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, info));
        if (code == NVML_ERROR_NOT_SUPPORTED || code == NVML_ERROR_INVALID_ARGUMENT) {
            return null;
        }
        check(code, "nvmlGpuInstanceGetComputeInstanceProfileInfo(" + profile + ")");
        return read(info);
    }

    Pointer createComputeInstance(Pointer gpuInstance, int profileId) {
        PointerByReference ref = new PointerByReference();
        check(rc(() -> lib.nvmlGpuInstanceCreateComputeInstance(gpuInstance, profileId, ref)), "nvmlGpuInstanceCreateComputeInstance");
        return handle(ref, "nvmlGpuInstanceCreateComputeInstance");
    }

    Pointer computeInstance(Pointer gpuInstance, int id) {
        PointerByReference ref = new PointerByReference();
        check(rc(() -> lib.nvmlGpuInstanceGetComputeInstanceById(gpuInstance, id, ref)), "nvmlGpuInstanceGetComputeInstanceById(" + id + ")");
        return handle(ref, "nvmlGpuInstanceGetComputeInstanceById");
    }

    void destroyComputeInstance(Pointer computeInstance) {
        check(rc(() -> lib.nvmlComputeInstanceDestroy(computeInstance)), "nvmlComputeInstanceDestroy");
    }

    void destroyGpuInstance(Pointer gpuInstance) {
        check(rc(() -> lib.nvmlGpuInstanceDestroy(gpuInstance)), "nvmlGpuInstanceDestroy");
    }

    NvmlStructs.Utilization utilization(Pointer device) {
        NvmlStructs.Utilization u = new NvmlStructs.Utilization();
        check(rc(() -> lib.nvmlDeviceGetUtilizationRates(device, u)), "nvmlDeviceGetUtilizationRates");
        return read(u);
    }

    int temperature(Pointer device) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetTemperature(device, NVML_TEMPERATURE_GPU, v)), "nvmlDeviceGetTemperature");
        return v.getValue();
    }

    int powerMilliwatts(Pointer device) {
        IntByReference v = new IntByReference();
        check(rc(() -> lib.nvmlDeviceGetPowerUsage(device, v)), "nvmlDeviceGetPowerUsage");
        return v.getValue();
    }

    /** Volatile ECC count of one error type; -1 when ECC is off or unsupported. */
    long eccErrors(Pointer device, int errorType) {
        LongByReference v = new LongByReference();
        int code = rc(() -> lib.nvmlDeviceGetTotalEccErrors(device, errorType, NVML_VOLATILE_ECC, v));
        if (code == NVML_ERROR_NOT_SUPPORTED || code == NVML_ERROR_FUNCTION_NOT_FOUND) {
            return -1;
        }
        check(code, "nvmlDeviceGetTotalEccErrors");
        return v.getValue();
    }

    Pointer createEventSet() {
        PointerByReference ref = new PointerByReference();
        check(rc(() -> lib.nvmlEventSetCreate(ref)), "nvmlEventSetCreate");
        return handle(ref, "nvmlEventSetCreate");
    }

    /** Registers for Xid events; answers the NVML return code (NOT_SUPPORTED on GPUs without event support). */
    int registerXidEvents(Pointer device, Pointer set) {
        return rc(() -> lib.nvmlDeviceRegisterEvents(device, NVML_EVENT_TYPE_XID_CRITICAL_ERROR, set));
    }

    /** Waits on the event set; answers the return code and fills {@code data} on success. */
    int waitEvent(Pointer set, NvmlStructs.EventData data, int timeoutMs) {
        int code = rc(() -> lib.nvmlEventSetWait_v2(set, data, timeoutMs));
        if (code == NVML_SUCCESS) {
            data.read();
        }
        return code;
    }

    void freeEventSet(Pointer set) {
        rc(() -> lib.nvmlEventSetFree(set));
    }
}
