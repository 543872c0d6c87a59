package dev.tangram.dra.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Iterator;
import java.util.Set;

/**
 * Reads the driver's versioned opaque configuration, {@code apiVersion: gpu.tangram.dev/v1alpha1, kind: GpuConfig}:
 * <pre>
 * sharing:
 *   strategy: TimeSlicing          # or MPS
 *   timeSlicing: {interval: Short} # Default | Short | Medium | Long
 *   mps: {activeThreadPercentage: 50, pinnedMemoryLimit: 10Gi}
 * </pre>
 * Anything else (unknown version, kind, field or value) is an error naming the field.
 */
public final class GpuConfigParser {
    public static final String API_VERSION = "gpu.tangram.dev/v1alpha1";
    public static final String KIND = "GpuConfig";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GpuConfigParser() {
    }

    public static SharingConfig parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("opaque config is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("opaque config must be an object with apiVersion and kind");
        }
        String apiVersion = root.path("apiVersion").asText("");
        if (!API_VERSION.equals(apiVersion)) {
            throw new IllegalArgumentException("opaque config apiVersion must be " + API_VERSION + ", got '" + apiVersion + "'");
        }
        String kind = root.path("kind").asText("");
        if (!KIND.equals(kind)) {
            throw new IllegalArgumentException("opaque config kind must be " + KIND + ", got '" + kind + "'");
        }
        onlyFields(root, "", Set.of("apiVersion", "kind", "sharing"));
        JsonNode sharing = root.get("sharing");
        if (sharing == null || sharing.isNull()) {
            return SharingConfig.NONE;
        }
        onlyFields(sharing, "sharing.", Set.of("strategy", "timeSlicing", "mps"));
        String strategy = sharing.path("strategy").asText("");
        return switch (strategy) {
            case "TimeSlicing" -> timeSlicing(sharing.path("timeSlicing"));
            case "MPS" -> mps(sharing.path("mps"));
            default -> throw new IllegalArgumentException("sharing.strategy must be TimeSlicing or MPS, got '" + strategy + "'");
        };
    }

    private static SharingConfig timeSlicing(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new SharingConfig.TimeSlicing(SharingConfig.Interval.Default);
        }
        onlyFields(node, "sharing.timeSlicing.", Set.of("interval"));
        String interval = node.path("interval").asText("Default");
        try {
            return new SharingConfig.TimeSlicing(SharingConfig.Interval.valueOf(interval));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sharing.timeSlicing.interval must be Default, Short, Medium or Long, got '"
                    + interval + "'");
        }
    }

    private static SharingConfig mps(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new SharingConfig.Mps(100, 0);
        }
        onlyFields(node, "sharing.mps.", Set.of("activeThreadPercentage", "pinnedMemoryLimit"));
        JsonNode pct = node.path("activeThreadPercentage");
        if (!pct.isMissingNode() && !pct.canConvertToInt()) {
            throw new IllegalArgumentException("sharing.mps.activeThreadPercentage must be an integer 1-100, got " + pct);
        }
        int percentage = pct.isMissingNode() ? 100 : pct.asInt();
        JsonNode limit = node.path("pinnedMemoryLimit");
        long limitMib = 0;
        if (!limit.isMissingNode()) {
            try {
                limitMib = MemoryQuantity.parse(limit.asText()).mib();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sharing.mps.pinnedMemoryLimit: " + e.getMessage());
            }
        }
        return new SharingConfig.Mps(percentage, limitMib);
    }

    private static void onlyFields(JsonNode node, String prefix, Set<String> allowed) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("opaque config field " + (prefix.isEmpty() ? "(root)" : prefix.substring(0, prefix.length() - 1))
                    + " must be an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new IllegalArgumentException("opaque config has unknown field " + prefix + field);
            }
        }
    }
}
