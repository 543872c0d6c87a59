package dev.tangram.dra.device;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One device the driver publishes in its pool: a whole GPU or one MIG placement of a GPU.
 *
 * @param name                     DNS label, unique in the pool
 * @param attributes               attribute name (unqualified = the driver's domain) to value
 * @param capacities               capacity name to quantity
 * @param consumes                 counters consumed when allocated (empty for a plain device)
 * @param taints                   taints, set while the device is unhealthy
 * @param allowMultipleAllocations whether several claims may share it (consumable capacity)
 */
public record DraDevice(String name, Map<String, AttributeValue> attributes, Map<String, Capacity> capacities,
                        List<CounterUse> consumes, List<DeviceTaint> taints, boolean allowMultipleAllocations) {
    /** The API allows at most 32 attributes and capacities together per device. */
    public static final int MAX_ATTRIBUTES_AND_CAPACITIES = 32;

    public DraDevice {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("device name is not a DNS label: '" + name + "'");
        }
        attributes = Map.copyOf(attributes);
        capacities = Map.copyOf(capacities);
        consumes = List.copyOf(consumes);
        taints = List.copyOf(taints);
        if (attributes.size() + capacities.size() > MAX_ATTRIBUTES_AND_CAPACITIES) {
            throw new IllegalArgumentException("device " + name + " has more than " + MAX_ATTRIBUTES_AND_CAPACITIES
                    + " attributes and capacities");
        }
    }

    public Map<String, AttributeValue> sortedAttributes() {
        return new TreeMap<>(attributes);
    }

    public Map<String, Capacity> sortedCapacities() {
        return new TreeMap<>(capacities);
    }

    public boolean usesCountersOrTaints() {
        return !consumes.isEmpty() || !taints.isEmpty();
    }
}
