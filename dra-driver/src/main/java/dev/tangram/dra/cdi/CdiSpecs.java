package dev.tangram.dra.cdi;

import dev.tangram.core.names.TangramNames;
import dev.tangram.dra.prepare.ContainerEdits;

import java.util.ArrayList;
import java.util.List;

/**
 * The CDI spec of one claim (a pure function): kind {@code tangram.dev/claim}, one CDI device per claim device named
 * {@code <claimUID>-<device>} so that a name is never reused, the claim's environment on each of them, the control device
 * nodes spec-wide.
 */
public final class CdiSpecs {
    public static final String KIND = TangramNames.CDI_VENDOR + "/" + TangramNames.CDI_CLASS_CLAIM;

    private CdiSpecs() {
    }

    /** {@code <claimUID>-<device>}. */
    public static String deviceName(String claimUid, String device) {
        return claimUid + "-" + device;
    }

    /** {@code tangram.dev/claim=<claimUID>-<device>}. */
    public static String qualifiedName(String claimUid, String device) {
        return KIND + "=" + deviceName(claimUid, device);
    }

    /** {@code tangram.dev-claim_<claimUID>.json}. */
    public static String fileName(String claimUid) {
        return TangramNames.CDI_VENDOR + "-" + TangramNames.CDI_CLASS_CLAIM + "_" + claimUid + ".json";
    }

    public static CdiSpec forClaim(String claimUid, ContainerEdits edits) {
        List<CdiSpec.Device> devices = new ArrayList<>();
        for (ContainerEdits.DeviceEdits d : edits.devices()) {
            devices.add(new CdiSpec.Device(deviceName(claimUid, d.deviceName()),
                    new CdiSpec.Edits(edits.env(), d.deviceNodes().stream().map(CdiSpec.DeviceNode::new).toList())));
        }
        CdiSpec.Edits common = new CdiSpec.Edits(List.of(), edits.commonDeviceNodes().stream().map(CdiSpec.DeviceNode::new).toList());
        return new CdiSpec(minimumVersion(devices), KIND, common, devices);
    }

    /** 0.5.0 allows device names that start with a digit (claim UIDs often do); 0.3.0 covers the rest of what we write. */
    static String minimumVersion(List<CdiSpec.Device> devices) {
        return devices.stream().anyMatch(d -> Character.isDigit(d.name().charAt(0))) ? "0.5.0" : "0.3.0";
    }
}
