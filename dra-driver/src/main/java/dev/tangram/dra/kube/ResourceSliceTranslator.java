package dev.tangram.dra.kube;

import dev.tangram.dra.device.AttributeValue;
import dev.tangram.dra.device.Capacity;
import dev.tangram.dra.device.CounterSet;
import dev.tangram.dra.device.CounterUse;
import dev.tangram.dra.device.DeviceTaint;
import dev.tangram.dra.device.DraDevice;
import dev.tangram.dra.slice.PoolSlice;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.resource.v1.CapacityRequestPolicyBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.CapacityRequestPolicyRangeBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.Counter;
import io.fabric8.kubernetes.api.model.resource.v1.Device;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAttribute;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAttributeBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceCapacity;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceCapacityBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceCounterConsumption;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceTaintBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Our slice contents to fabric8's resource.k8s.io/v1 ResourceSlices (a pure function, the border of the slice path). */
public final class ResourceSliceTranslator {
    /** Label on every slice the driver writes, so that it finds its own. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

    private ResourceSliceTranslator() {
    }

    /** {@code <node>-gpu-tangram-dev-<index>}. */
    public static String sliceName(String node, String driver, int index) {
        return node + "-" + driver.replace('.', '-') + "-" + index;
    }

    public static List<ResourceSlice> translate(String driver, String node, List<PoolSlice> slices, long generation,
                                                Optional<OwnerReference> owner) {
        List<ResourceSlice> out = new java.util.ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            PoolSlice s = slices.get(i);
            ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(sliceName(node, driver, i))
                    .addToLabels(LABEL_MANAGED_BY, driver);
            owner.ifPresent(meta::addToOwnerReferences);
            out.add(new ResourceSliceBuilder()
                    .withMetadata(meta.build())
                    .withNewSpec()
                    .withDriver(driver)
                    .withNodeName(node)
                    .withNewPool().withName(node).withGeneration(generation).withResourceSliceCount((long) slices.size()).endPool()
                    .withSharedCounters(s.counterSets().isEmpty() ? null : s.counterSets().stream().map(ResourceSliceTranslator::counterSet).toList())
                    .withDevices(s.devices().isEmpty() && !s.counterSets().isEmpty() ? null : s.devices().stream().map(ResourceSliceTranslator::device).toList())
                    .endSpec()
                    .build());
        }
        return out;
    }

    static io.fabric8.kubernetes.api.model.resource.v1.CounterSet counterSet(CounterSet set) {
        return new io.fabric8.kubernetes.api.model.resource.v1.CounterSet(counters(set.sortedCounters()), set.name());
    }

    private static Map<String, Counter> counters(Map<String, String> values) {
        Map<String, Counter> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, new Counter(new Quantity(v))));
        return out;
    }

    static Device device(DraDevice d) {
        Map<String, DeviceAttribute> attributes = new LinkedHashMap<>();
        d.sortedAttributes().forEach((k, v) -> attributes.put(k, attribute(v)));
        Map<String, DeviceCapacity> capacity = new LinkedHashMap<>();
        d.sortedCapacities().forEach((k, v) -> capacity.put(k, capacity(v)));
        DeviceBuilder b = new DeviceBuilder().withName(d.name()).withAttributes(attributes).withCapacity(capacity);
        if (!d.consumes().isEmpty()) {
            b.withConsumesCounters(d.consumes().stream().map(ResourceSliceTranslator::consumption).toList());
        }
        if (!d.taints().isEmpty()) {
            b.withTaints(d.taints().stream().map(ResourceSliceTranslator::taint).toList());
        }
        if (d.allowMultipleAllocations()) {
            b.withAllowMultipleAllocations(true);
        }
        return b.build();
    }

    private static DeviceCounterConsumption consumption(CounterUse use) {
        return new DeviceCounterConsumption(use.counterSet(), counters(use.sortedCounters()));
    }

    private static io.fabric8.kubernetes.api.model.resource.v1.DeviceTaint taint(DeviceTaint t) {
        return new DeviceTaintBuilder().withKey(t.key()).withValue(t.value()).withEffect(t.effect()).build();
    }

    private static DeviceAttribute attribute(AttributeValue v) {
        DeviceAttributeBuilder b = new DeviceAttributeBuilder();
        return switch (v) {
            case AttributeValue.IntValue i -> b.withInt(i.value()).build();
            case AttributeValue.BoolValue bo -> b.withBool(bo.value()).build();
            case AttributeValue.StringValue s -> b.withString(s.value()).build();
            case AttributeValue.VersionValue ver -> b.withVersion(ver.value()).build();
        };
    }

    private static DeviceCapacity capacity(Capacity c) {
        DeviceCapacityBuilder b = new DeviceCapacityBuilder().withValue(new Quantity(c.quantity()));
        c.sharePolicy().ifPresent(p -> b.withRequestPolicy(new CapacityRequestPolicyBuilder()
                .withDefault(new Quantity(p.defaultQuantity()))
                .withValidRange(new CapacityRequestPolicyRangeBuilder().withMin(new Quantity(p.min()))
                        .withMax(new Quantity(p.max())).build())
                .build()));
        return b.build();
    }
}
