package dev.tangram.core.decision;

import dev.tangram.core.json.Json;
import dev.tangram.core.json.JsonException;
import dev.tangram.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writer and reader of the {@code tangram.dev/placement} pod annotation (versioned JSON). */
public final class PlacementDecisionCodec {
    public static final int VERSION = 1;

    private PlacementDecisionCodec() {
    }

    public static String write(PlacementDecision d) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("v", VERSION);
        root.put("podUid", d.podUid());
        root.put("node", d.node());
        root.put("decidedAt", d.decidedAt().toEpochMilli());
        List<Object> containers = new ArrayList<>();
        for (PlacementDecision.ContainerDevices c : d.containers()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.container());
            cm.put("resource", c.resource());
            cm.put("devices", c.deviceIds());
            containers.add(cm);
        }
        root.put("containers", containers);
        return Json.write(root);
    }

    public static PlacementDecision read(String annotation) {
        JsonObject root = Json.parseObject(annotation, "placement");
        long version = root.integer("v");
        if (version < 1 || version > VERSION) {
            throw new JsonException("placement.v is " + version + "; this Tangram reads versions 1 to " + VERSION);
        }
        List<PlacementDecision.ContainerDevices> containers = new ArrayList<>();
        for (JsonObject c : root.objects("containers")) {
            containers.add(new PlacementDecision.ContainerDevices(c.string("name"), c.string("resource"), c.strings("devices")));
        }
        String podUid = root.string("podUid");
        String node = root.string("node");
        Instant decidedAt = Instant.ofEpochMilli(root.integer("decidedAt"));
        try {
            return new PlacementDecision(podUid, node, containers, decidedAt);
        } catch (IllegalArgumentException e) {
            throw new JsonException("placement: " + e.getMessage());
        }
    }
}
