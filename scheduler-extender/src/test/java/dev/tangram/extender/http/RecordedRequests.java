package dev.tangram.extender.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.core.GpuFixtures;
import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.names.TangramNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The request bodies recorded from kube-scheduler v1.23 (shared data), and variants with Tangram inventories. */
final class RecordedRequests {
    static final Path DIR = locate();
    static final List<String> FILES = List.of("001-full-filter.json", "002-cache-filter.json", "003-cache-prioritize.json",
            "004-full-prioritize.json", "005-full-bind.json", "019-full-preempt.json", "020-cache-preempt.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedRequests() {
    }

    private static Path locate() {
        for (Path p : List.of(Path.of("/work/shared/data/kube-scheduler-requests"), Path.of("../shared/data/kube-scheduler-requests"),
                Path.of("../../shared/data/kube-scheduler-requests"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("recorded kube-scheduler requests not found (../shared/data/kube-scheduler-requests)");
    }

    static String text(String file) {
        try {
            return Files.readString(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String verbOf(String file) {
        return file.replaceAll("^\\d+-(full|cache)-", "").replace(".json", "");
    }

    /** The recorded body with a DGX H100 inventory annotation on every node it carries. */
    static String withInventories(String file) {
        try {
            JsonNode root = JSON.readTree(text(file));
            for (JsonNode node : root.path("Nodes").path("items")) {
                ObjectNode meta = (ObjectNode) node.get("metadata");
                String name = meta.get("name").asText();
                ObjectNode annotations = meta.has("annotations") && meta.get("annotations").isObject()
                        ? (ObjectNode) meta.get("annotations") : meta.putObject("annotations");
                annotations.put(TangramNames.ANNOTATION_GPU_INVENTORY, InventoryCodec.write(GpuFixtures.dgxH100(name)));
            }
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
