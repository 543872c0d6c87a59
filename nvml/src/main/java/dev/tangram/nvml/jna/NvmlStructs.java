package dev.tangram.nvml.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * NVML's structs with their {@code nvml.h} layouts (x86-64 / aarch64 LP64). {@link #SIZES} records the byte size each one
 * must have; a test checks JNA agrees, so a wrong field can never make NVML write past a buffer.
 */
public final class NvmlStructs {
    private NvmlStructs() {
    }

    /** nvmlPciInfo_t (the layout nvmlDeviceGetPciInfo_v3 and nvmlDeviceGetNvLinkRemotePciInfo_v2 fill): 68 bytes. */
    @Structure.FieldOrder({"busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"})
    public static class PciInfo extends Structure {
        public byte[] busIdLegacy = new byte[16];
        public int domain;
        public int bus;
        public int device;
        public int pciDeviceId;
        public int pciSubSystemId;
        public byte[] busId = new byte[32];

        /** {@code 0000:18:00.0}: four-digit domain, lower case, as sysfs and Tangram write it. */
        public String normalizedBusId() {
            String raw = Native.toString(busId).trim();
            int colon = raw.indexOf(':');
            if (colon < 0 || raw.length() < colon + 8) {
                return String.format("%04x:%02x:%02x.0", domain & 0xffff, bus & 0xff, device & 0xff);
            }
            String domainPart = raw.substring(0, colon);
            domainPart = domainPart.length() > 4 ? domainPart.substring(domainPart.length() - 4) : domainPart;
            return (domainPart + raw.substring(colon)).toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** nvmlMemory_t: total, free, used in bytes; 24 bytes. */
    @Structure.FieldOrder({"total", "free", "used"})
    public static class Memory extends Structure {
        public long total;
        public long free;
        public long used;
    }

    /** nvmlUtilization_t: percentages; 8 bytes. */
    @Structure.FieldOrder({"gpu", "memory"})
    public static class Utilization extends Structure {
        public int gpu;
        public int memory;
    }

    /** nvmlEventData_t: 32 bytes. */
    @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
    public static class EventData extends Structure {
        public Pointer device;
        public long eventType;
        public long eventData;
        public int gpuInstanceId;
        public int computeInstanceId;
    }

    /** nvmlGpuInstancePlacement_t: start and size in memory slices; 8 bytes. */
    @Structure.FieldOrder({"start", "size"})
    public static class GpuInstancePlacement extends Structure {
        public int start;
        public int size;

        public GpuInstancePlacement() {
        }

        public GpuInstancePlacement(int start, int size) {
            this.start = start;
            this.size = size;
        }
    }

    /** nvmlGpuInstanceInfo_t: 24 bytes. */
    @Structure.FieldOrder({"device", "id", "profileId", "placementStart", "placementSize"})
    public static class GpuInstanceInfo extends Structure {
        public Pointer device;
        public int id;
        public int profileId;
        public int placementStart;
        public int placementSize;
    }

    /** nvmlGpuInstanceProfileInfo_t (v1): 48 bytes. */
    @Structure.FieldOrder({"id", "isP2pSupported", "sliceCount", "instanceCount", "multiprocessorCount", "copyEngineCount",
            "decoderCount", "encoderCount", "jpegCount", "ofaCount", "memorySizeMB"})
    public static class GpuInstanceProfileInfo extends Structure {
        public int id;
        public int isP2pSupported;
        public int sliceCount;
        public int instanceCount;
        public int multiprocessorCount;
        public int copyEngineCount;
        public int decoderCount;
        public int encoderCount;
        public int jpegCount;
        public int ofaCount;
        public long memorySizeMB;
    }

    /** nvmlComputeInstanceProfileInfo_t (v1): 36 bytes. */
    @Structure.FieldOrder({"id", "sliceCount", "instanceCount", "multiprocessorCount", "sharedCopyEngineCount", "sharedDecoderCount",
            "sharedEncoderCount", "sharedJpegCount", "sharedOfaCount"})
    public static class ComputeInstanceProfileInfo extends Structure {
        public int id;
        public int sliceCount;
        public int instanceCount;
        public int multiprocessorCount;
        public int sharedCopyEngineCount;
        public int sharedDecoderCount;
        public int sharedEncoderCount;
        public int sharedJpegCount;
        public int sharedOfaCount;
    }

    /** The byte size {@code nvml.h} gives each struct on LP64. */
    public static final java.util.Map<Class<? extends Structure>, Integer> SIZES = java.util.Map.of(
            PciInfo.class, 68, Memory.class, 24, Utilization.class, 8, EventData.class, 32, GpuInstancePlacement.class, 8,
            GpuInstanceInfo.class, 24, GpuInstanceProfileInfo.class, 48, ComputeInstanceProfileInfo.class, 36);
}
