package dev.tangram.inference.allocation;

import java.util.Arrays;
import java.util.List;

/**
 * The value of {@code NVIDIA_VISIBLE_DEVICES} / {@code CUDA_VISIBLE_DEVICES}: all devices, none, or a list of UUIDs
 * ({@code GPU-...}, {@code MIG-...}) or indices.
 *
 * @param all whether every device of the node is visible ({@code all})
 * @param ids the listed devices (empty for {@code all}, {@code none}, {@code void} or an empty value)
 */
public record VisibleDevices(boolean all, List<String> ids) {
    public static final VisibleDevices NONE = new VisibleDevices(false, List.of());

    public VisibleDevices {
        ids = List.copyOf(ids);
    }

    public static VisibleDevices parse(String value) {
        if (value == null) {
            return NONE;
        }
        String v = value.trim();
        if (v.isEmpty() || v.equals("none") || v.equals("void") || v.equals("NoDevFiles")) {
            return NONE;
        }
        if (v.equals("all")) {
            return new VisibleDevices(true, List.of());
        }
        return new VisibleDevices(false, Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    public boolean any() {
        return all || !ids.isEmpty();
    }
}
