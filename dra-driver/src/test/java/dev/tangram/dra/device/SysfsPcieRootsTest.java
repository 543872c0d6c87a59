package dev.tangram.dra.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SysfsPcieRootsTest {
    @Test
    void readsTheRootComplexFromTheDevicesSysfsPath(@TempDir Path sysfs) throws Exception {
        Path device = Files.createDirectories(sysfs.resolve("devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:18:00.0"));
        Files.createDirectories(sysfs.resolve("bus/pci/devices"));
        Files.createSymbolicLink(sysfs.resolve("bus/pci/devices/0000:18:00.0"), device);
        SysfsPcieRoots roots = new SysfsPcieRoots(sysfs);

        assertThat(roots.apply("0000:18:00.0")).isEqualTo("pci0000:15");
    }

    @Test
    void fallsBackToTheBusWhenSysfsDoesNotKnowTheDevice(@TempDir Path sysfs) {
        assertThat(new SysfsPcieRoots(sysfs).apply("0000:1B:00.0")).isEqualTo("pci0000:1b");
    }
}
