package dev.tangram.deviceplugin.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the kubelet's device-manager checkpoint ({@code kubelet_internal_checkpoint}) to learn which devices of each resource
 * are allocated to containers. Read on demand (a scrape), re-parsed only when the file's modification time changes.
 */
public final class KubeletCheckpointReader {
    public static final String FILE_NAME = "kubelet_internal_checkpoint";

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private long lastModified = Long.MIN_VALUE;
    private Map<String, Long> counts = Map.of();
    private boolean known;

    public KubeletCheckpointReader(Path kubeletDir) {
        this.file = kubeletDir.resolve(FILE_NAME);
    }

    /** Allocated devices of {@code resource}, or -1 when the checkpoint cannot be read. */
    public synchronized long allocated(String resource) {
        refresh();
        return known ? counts.getOrDefault(resource, 0L) : -1;
    }

    private void refresh() {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (modified == lastModified) {
                return;
            }
            JsonNode entries = json.readTree(file.toFile()).path("Data").path("PodDeviceEntries");
            Map<String, Set<String>> ids = new HashMap<>();
            for (JsonNode e : entries) {
                String resource = e.path("ResourceName").asText();
                JsonNode devices = e.path("DeviceIDs");
                Set<String> set = ids.computeIfAbsent(resource, k -> new HashSet<>());
                if (devices.isArray()) {
                    devices.forEach(d -> set.add(d.asText()));
                } else {
                    devices.forEach(perNuma -> perNuma.forEach(d -> set.add(d.asText())));
                }
            }
            Map<String, Long> c = new HashMap<>();
            ids.forEach((k, v) -> c.put(k, (long) v.size()));
            counts = c;
            lastModified = modified;
            known = true;
        } catch (IOException | RuntimeException e) {
            known = false;
            lastModified = Long.MIN_VALUE;
        }
    }
}
