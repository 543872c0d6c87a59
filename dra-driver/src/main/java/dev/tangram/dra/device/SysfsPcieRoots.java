package dev.tangram.dra.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The PCIe root complex of a device from sysfs: {@code /sys/bus/pci/devices/<bus id>} links to
 * {@code /sys/devices/pci0000:15/0000:15:01.0/.../0000:18:00.0}, whose first component is the root ({@code pci0000:15}).
 * Where sysfs does not know the device (a simulated node), the root is derived from the bus id.
 */
public final class SysfsPcieRoots implements UnaryOperator<String> {
    private final Path sysfs;

    public SysfsPcieRoots(Path sysfs) {
        this.sysfs = sysfs;
    }

    public static SysfsPcieRoots system() {
        return new SysfsPcieRoots(Path.of("/sys"));
    }

    @Override
    public String apply(String busId) {
        Path link = sysfs.resolve("bus/pci/devices").resolve(busId.toLowerCase(Locale.ROOT));
        try {
            Path real = link.toRealPath();
            Path devices = sysfs.resolve("devices").toRealPath();
            if (real.startsWith(devices) && real.getNameCount() > devices.getNameCount()) {
                String root = real.getName(devices.getNameCount()).toString();
                if (root.startsWith("pci")) {
                    return root;
                }
            }
        } catch (IOException e) {
            // not in sysfs: fall back below
        }
        return DevicePlanner.busRoot(busId);
    }
}
