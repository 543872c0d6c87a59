package dev.tangram.nvml.jna;

import com.sun.jna.Pointer;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.probe.ProbeException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static dev.tangram.nvml.jna.NvmlLibrary.NVML_COMPUTE_INSTANCE_PROFILE_COUNT;
import static dev.tangram.nvml.jna.NvmlLibrary.NVML_GPU_INSTANCE_PROFILE_COUNT;

/** Enumerates, carves and destroys MIG devices of one GPU through NVML. */
final class NvmlMigReader {
    private static final long MIB = 1024L * 1024L;

    private NvmlMigReader() {
    }

    /** The MIG devices of {@code gpu} (handle {@code device}), sorted by GPU then compute instance id. */
    static List<MigDevice> devices(Nvml nvml, Pointer device, Gpu gpu) {
        List<MigDevice> result = new ArrayList<>();
        int max = nvml.maxMigDevices(device);
        for (int i = 0; i < max; i++) {
            Pointer mig = nvml.migDevice(device, i);
            if (mig == null) {
                continue;
            }
            int gi = nvml.gpuInstanceId(mig);
            int ci = nvml.computeInstanceId(mig);
            NvmlStructs.GpuInstanceInfo info = nvml.gpuInstanceInfo(nvml.gpuInstance(device, gi));
            long memoryMib = nvml.memory(mig).total / MIB;
            result.add(new MigDevice(nvml.uuid(mig), gpu.uuid(), gi, ci, profileName(nvml, device, gpu, info.profileId),
                    info.placementStart, info.placementSize, memoryMib));
        }
        result.sort(Comparator.comparingInt(MigDevice::gpuInstanceId).thenComparingInt(MigDevice::computeInstanceId));
        return result;
    }

    /** The catalog name of an NVML profile id; for a GPU outside the catalog, {@code <slices>g.<GB>gb} from NVML's profile. */
    private static String profileName(Nvml nvml, Pointer device, Gpu gpu, int profileId) {
        Optional<String> known = gpu.migCatalog().flatMap(c -> c.profiles().stream().filter(p -> p.nvmlProfileId() == profileId)
                .map(MigProfile::name).findFirst());
        if (known.isPresent()) {
            return known.get();
        }
        NvmlStructs.GpuInstanceProfileInfo info = profileInfo(nvml, device, profileId);
        if (info == null) {
            return "profile-" + profileId;
        }
        return info.sliceCount + "g." + Math.round(info.memorySizeMB / 1024.0) + "gb";
    }

    private static NvmlStructs.GpuInstanceProfileInfo profileInfo(Nvml nvml, Pointer device, int profileId) {
        for (int p = 0; p < NVML_GPU_INSTANCE_PROFILE_COUNT; p++) {
            NvmlStructs.GpuInstanceProfileInfo info = nvml.gpuInstanceProfile(device, p);
            if (info != null && info.id == profileId) {
                return info;
            }
        }
        return null;
    }

    /**
     * Creates a GPU instance of {@code profileName} at {@code start} and one compute instance spanning it. Checks the profile
     * and placement against the catalog first (as the simulated probe does), so a bad request never reaches the driver.
     */
    static MigDevice create(Nvml nvml, Pointer device, Gpu gpu, String profileName, int start) {
        MigProfileCatalog catalog = gpu.migCatalog().orElseThrow(() -> new ProbeException(ProbeException.Kind.NOT_SUPPORTED,
                "GPU " + gpu.uuid() + " (" + gpu.product() + ") cannot do MIG"));
        MigProfile profile = catalog.profile(profileName).orElseThrow(() -> new ProbeException(ProbeException.Kind.INVALID_ARGUMENT,
                "unknown MIG profile '" + profileName + "' for " + gpu.product()));
        if (!profile.isLegalStart(start)) {
            throw new ProbeException(ProbeException.Kind.INVALID_ARGUMENT, profileName + " cannot start at slot " + start
                    + " (legal starts: " + profile.placementStarts() + ")");
        }
        if (!nvml.migEnabled(device)) {
            throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "GPU " + gpu.uuid() + " does not have MIG mode on");
        }
        for (MigDevice d : devices(nvml, device, gpu)) {
            if (d.overlaps(start, profile.placementSize())) {
                throw new ProbeException(ProbeException.Kind.INSUFFICIENT_RESOURCES, profileName + " at slot " + start + " overlaps "
                        + d.profile() + " at " + d.placementStart() + " on GPU " + gpu.uuid());
            }
        }
        NvmlStructs.GpuInstanceProfileInfo giProfile = profileInfo(nvml, device, profile.nvmlProfileId());
        if (giProfile == null) {
            throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "the driver offers no GPU instance profile " + profileName
                    + " (id " + profile.nvmlProfileId() + ") on GPU " + gpu.uuid());
        }
        Pointer gi = nvml.createGpuInstance(device, giProfile.id, start, profile.placementSize());
        int giId;
        try {
            giId = nvml.gpuInstanceInfo(gi).id;
            nvml.createComputeInstance(gi, fullComputeProfile(nvml, gi, giProfile.sliceCount).id);
        } catch (ProbeException e) {
            try {
                nvml.destroyGpuInstance(gi);
            } catch (ProbeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return devices(nvml, device, gpu).stream().filter(d -> d.gpuInstanceId() == giId).findFirst()
                .orElseThrow(() -> new ProbeException(ProbeException.Kind.UNKNOWN,
                        "created GPU instance " + giId + " on " + gpu.uuid() + " but no MIG device shows it"));
    }

    private static NvmlStructs.ComputeInstanceProfileInfo fullComputeProfile(Nvml nvml, Pointer gi, int slices) {
        for (int p = 0; p < NVML_COMPUTE_INSTANCE_PROFILE_COUNT; p++) {
            NvmlStructs.ComputeInstanceProfileInfo info = nvml.computeInstanceProfile(gi, p);
            if (info != null && info.sliceCount == slices) {
                return info;
            }
        }
        throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "no compute instance profile spans " + slices + " slices");
    }

    /** Destroys the compute instance, then the GPU instance, of {@code mig} on {@code device}. */
    static void destroy(Nvml nvml, Pointer device, MigDevice mig) {
        Pointer gi = nvml.gpuInstance(device, mig.gpuInstanceId());
        nvml.destroyComputeInstance(nvml.computeInstance(gi, mig.computeInstanceId()));
        nvml.destroyGpuInstance(gi);
    }
}
