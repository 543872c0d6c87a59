package dev.tangram.core.inventory;

import dev.tangram.core.json.Json;
import dev.tangram.core.json.JsonException;
import dev.tangram.core.json.JsonObject;
import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writer and reader of the {@code tangram.dev/gpu-inventory} node annotation: compact, versioned JSON. The reader accepts
 * unknown fields (a newer writer may add some) but refuses a newer major version. Link cells are {@code "<nvlinks>:<pcie>"},
 * e.g. {@code "18:SYS"}; the diagonal is {@code "X"}.
 */
public final class InventoryCodec {
    /** Format version written; readers accept this one and older. */
    public static final int VERSION = 1;

    private InventoryCodec() {
    }

    public static String write(NodeInventory inv) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("v", VERSION);
        root.put("node", inv.nodeName());
        root.put("driver", inv.driverVersion());
        root.put("cuda", inv.cudaDriverVersion());
        List<Object> gpus = new ArrayList<>();
        for (Gpu g : inv.gpus()) {
            gpus.add(gpu(g));
        }
        root.put("gpus", gpus);
        List<Object> rows = new ArrayList<>();
        LinkMatrix links = inv.links();
        for (int i = 0; i < links.size(); i++) {
            List<Object> row = new ArrayList<>();
            for (int j = 0; j < links.size(); j++) {
                row.add(i == j ? "X" : links.link(i, j).nvlinks() + ":" + links.link(i, j).pcie().smiName());
            }
            rows.add(row);
        }
        root.put("links", rows);
        return Json.write(root);
    }

    private static Map<String, Object> gpu(Gpu g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uuid", g.uuid());
        m.put("index", g.index());
        m.put("minor", g.minor());
        m.put("product", g.product());
        m.put("arch", g.architecture());
        m.put("cc", g.computeCapability().toString());
        m.put("memMib", g.memoryMib());
        m.put("pci", g.pciBusId());
        m.put("numa", g.numaNode());
        m.put("healthy", g.health().healthy());
        if (!g.health().healthy()) {
            m.put("reason", g.health().reason());
        }
        if (g.migCapable()) {
            Map<String, Object> mig = new LinkedHashMap<>();
            mig.put("enabled", g.migEnabled());
            List<Object> devices = new ArrayList<>();
            for (MigDevice d : g.migDevices()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("uuid", d.uuid());
                dm.put("gi", d.gpuInstanceId());
                dm.put("ci", d.computeInstanceId());
                dm.put("profile", d.profile());
                dm.put("start", d.placementStart());
                dm.put("size", d.placementSize());
                dm.put("memMib", d.memoryMib());
                devices.add(dm);
            }
            mig.put("devices", devices);
            m.put("mig", mig);
        }
        g.sharing().ifPresent(s -> {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("replicas", s.replicas());
            sm.put("strategy", s.strategy());
            sm.put("memMib", s.memoryMibPerReplica());
            m.put("sharing", sm);
        });
        return m;
    }

    /** Reads an annotation value; a malformed one is a {@link JsonException} naming the field. */
    public static NodeInventory read(String annotation) {
        JsonObject root = Json.parseObject(annotation, "inventory");
        long version = root.integer("v");
        if (version < 1 || version > VERSION) {
            throw new JsonException("inventory.v is " + version + "; this Tangram reads versions 1 to " + VERSION);
        }
        List<Gpu> gpus = new ArrayList<>();
        for (JsonObject g : root.objects("gpus")) {
            gpus.add(gpu(g));
        }
        LinkMatrix links = links(annotation, gpus.size());
        String node = root.string("node");
        String driver = root.string("driver");
        String cuda = root.string("cuda");
        try {
            return new NodeInventory(node, driver, cuda, gpus, links);
        } catch (IllegalArgumentException e) {
            throw new JsonException("inventory: " + e.getMessage());
        }
    }

    private static LinkMatrix links(String annotation, int n) {
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(annotation);
        Object raw = root.get("links");
        if (!(raw instanceof List<?> rows) || rows.size() != n) {
            throw new JsonException("inventory.links must be a " + n + "x" + n + " array");
        }
        String[][] cells = new String[n][n];
        for (int i = 0; i < n; i++) {
            if (!(rows.get(i) instanceof List<?> row) || row.size() != n) {
                throw new JsonException("inventory.links[" + i + "] must have " + n + " cells");
            }
            for (int j = 0; j < n; j++) {
                if (!(row.get(j) instanceof String s)) {
                    throw new JsonException("inventory.links[" + i + "][" + j + "] must be a string");
                }
                cells[i][j] = s;
            }
        }
        return LinkMatrix.of(n, (i, j) -> cell(cells[i][j], i, j));
    }

    private static Link cell(String text, int i, int j) {
        int colon = text.indexOf(':');
        try {
            if (colon < 0) {
                throw new IllegalArgumentException("expected <nvlinks>:<pcie>");
            }
            return new Link(Integer.parseInt(text.substring(0, colon)), PcieRelation.parse(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new JsonException("inventory.links[" + i + "][" + j + "] = '" + text + "': " + e.getMessage());
        }
    }

    private static Gpu gpu(JsonObject g) {
        try {
            String uuid = g.string("uuid");
            Health health = g.bool("healthy", true) ? Health.HEALTHY : Health.unhealthy(g.optString("reason").orElse("unhealthy"));
            boolean migCapable = g.has("mig");
            boolean migEnabled = false;
            List<MigDevice> migDevices = new ArrayList<>();
            if (migCapable) {
                JsonObject mig = g.object("mig");
                migEnabled = mig.bool("enabled", false);
                for (JsonObject d : mig.objects("devices")) {
                    migDevices.add(new MigDevice(d.string("uuid"), uuid, d.int32("gi"), d.int32("ci"), d.string("profile"),
                            d.int32("start"), d.int32("size"), d.integer("memMib")));
                }
            }
            Optional<GpuSharing> sharing = g.optObject("sharing")
                    .map(s -> new GpuSharing(s.int32("replicas"), s.string("strategy"), s.integer("memMib")));
            return new Gpu(uuid, g.int32("index"), g.int32("minor"), g.string("product"), g.string("arch"),
                    ComputeCapability.parse(g.string("cc")), g.integer("memMib"), g.string("pci"), g.int32("numa", -1), health,
                    migCapable, migEnabled, migDevices, sharing);
        } catch (JsonException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new JsonException(g.path() + ": " + e.getMessage());
        }
    }
}
