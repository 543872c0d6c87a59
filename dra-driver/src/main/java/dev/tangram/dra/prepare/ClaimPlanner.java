package dev.tangram.dra.prepare;

import dev.tangram.dra.claim.AllocatedDevice;
import dev.tangram.dra.claim.ClaimAllocation;
import dev.tangram.dra.claim.ClaimLookupException;
import dev.tangram.dra.claim.OpaqueConfig;
import dev.tangram.dra.config.GpuConfigParser;
import dev.tangram.dra.config.SharingConfig;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DeviceTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides what preparing one claim means on this node (a pure function of the claim and the published devices): every
 * device the claim got from this driver must be in this node's pool and known; each request's sharing settings come
 * from the last matching opaque config of this driver (claim entries after class entries).
 */
public final class ClaimPlanner {
    private final String driver;

    public ClaimPlanner(String driver) {
        this.driver = driver;
    }

    public List<PlannedDevice> plan(ClaimAllocation claim, DevicePlan devices) {
        List<PlannedDevice> planned = new ArrayList<>();
        SharingConfig claimStrategy = null;
        for (AllocatedDevice d : claim.devicesOf(driver)) {
            if (!d.pool().equals(devices.pool())) {
                throw new ClaimLookupException("claim " + claim.ref() + ": device " + d.device() + " is in pool " + d.pool()
                        + ", not in this node's pool " + devices.pool());
            }
            DeviceTarget target = devices.target(d.device()).orElseThrow(() -> new ClaimLookupException("claim "
                    + claim.ref() + ": unknown device " + d.device() + " in pool " + d.pool()
                    + " (not published by this driver on this node)"));
            SharingConfig sharing = sharingOf(claim, d.request());
            if (claimStrategy != null && !sameStrategy(claimStrategy, sharing)) {
                throw new ClaimLookupException("claim " + claim.ref() + ": its requests ask for different sharing settings ("
                        + claimStrategy + " and " + sharing + "); one claim takes one setting");
            }
            claimStrategy = sharing;
            long memory = d.consumedMemoryMib().isPresent() ? Math.min(d.consumedMemoryMib().getAsLong(), target.memoryMib())
                    : target.memoryMib();
            planned.add(new PlannedDevice(d.requestName(), d.pool(), d.device(), target, d.shareId(), memory, sharing));
        }
        return planned;
    }

    private SharingConfig sharingOf(ClaimAllocation claim, String request) {
        SharingConfig chosen = SharingConfig.NONE;
        List<OpaqueConfig> ordered = new ArrayList<>(claim.configs().stream().filter(OpaqueConfig::fromClass).toList());
        ordered.addAll(claim.configs().stream().filter(c -> !c.fromClass()).toList());
        for (OpaqueConfig c : ordered) {
            if (!c.driver().equals(driver) || !c.appliesTo(request)) {
                continue;
            }
            try {
                chosen = GpuConfigParser.parse(c.parametersJson());
            } catch (IllegalArgumentException e) {
                throw new ClaimLookupException("claim " + claim.ref() + ": invalid " + (c.fromClass() ? "class" : "claim")
                        + " config for request " + request + ": " + e.getMessage());
            }
        }
        return chosen;
    }

    private static boolean sameStrategy(SharingConfig a, SharingConfig b) {
        return a.equals(b);
    }
}
