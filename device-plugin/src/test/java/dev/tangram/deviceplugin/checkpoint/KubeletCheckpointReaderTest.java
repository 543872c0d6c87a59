package dev.tangram.deviceplugin.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class KubeletCheckpointReaderTest {
    @TempDir
    Path dir;

    @Test
    void countsAllocatedDevicesPerResourceFromTheKubeletCheckpoint() throws Exception {
        KubeletCheckpointReader reader = new KubeletCheckpointReader(dir);
        assertThat(reader.allocated("nvidia.com/gpu")).isEqualTo(-1);
        Files.writeString(dir.resolve(KubeletCheckpointReader.FILE_NAME), """
                {"Data":{"PodDeviceEntries":[
                  {"PodUID":"a","ContainerName":"c","ResourceName":"nvidia.com/gpu","DeviceIDs":{"0":["GPU-1","GPU-2"]},"AllocResp":""},
                  {"PodUID":"b","ContainerName":"c","ResourceName":"nvidia.com/gpu","DeviceIDs":{"1":["GPU-5"]},"AllocResp":""},
                  {"PodUID":"c","ContainerName":"c","ResourceName":"nvidia.com/gpu.shared","DeviceIDs":["GPU-7::0"],"AllocResp":""}
                ],"RegisteredDevices":{}},"Checksum":1}
                """);
        assertThat(reader.allocated("nvidia.com/gpu")).isEqualTo(3);
        assertThat(reader.allocated("nvidia.com/gpu.shared")).isEqualTo(1);
        assertThat(reader.allocated("nvidia.com/mig-1g.10gb")).isZero();
        Files.writeString(dir.resolve(KubeletCheckpointReader.FILE_NAME), "{not json");
        Files.setLastModifiedTime(dir.resolve(KubeletCheckpointReader.FILE_NAME), java.nio.file.attribute.FileTime.fromMillis(1));
        assertThat(reader.allocated("nvidia.com/gpu")).isEqualTo(-1);
    }
}
