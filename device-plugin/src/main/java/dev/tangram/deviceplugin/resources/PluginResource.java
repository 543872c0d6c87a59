package dev.tangram.deviceplugin.resources;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One extended resource this node offers and its devices, in a stable order.
 *
 * @param name    {@code nvidia.com/gpu}, {@code nvidia.com/mig-1g.10gb}, {@code nvidia.com/gpu.shared}, ...
 * @param devices its devices
 */
public record PluginResource(String name, List<AdvertisedDevice> devices) {
    public PluginResource {
        Objects.requireNonNull(name, "name");
        devices = List.copyOf(devices);
    }

    /** The socket file name in the kubelet directory: {@code tangram-<name after the slash>.sock}. */
    public String socketName() {
        return socketName(name);
    }

    public static String socketName(String resource) {
        return "tangram-" + resource.substring(resource.indexOf('/') + 1) + ".sock";
    }

    public Optional<AdvertisedDevice> device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /** Devices by ID, in advertised order. */
    public Map<String, AdvertisedDevice> byId() {
        Map<String, AdvertisedDevice> m = new LinkedHashMap<>();
        devices.forEach(d -> m.put(d.id(), d));
        return m;
    }

    public long healthyCount() {
        return devices.stream().filter(d -> d.health().healthy()).count();
    }
}
