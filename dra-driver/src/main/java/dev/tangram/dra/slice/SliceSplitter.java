package dev.tangram.dra.slice;

import dev.tangram.dra.device.CounterSet;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DraDevice;
import dev.tangram.dra.device.GpuDevices;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a pool into ResourceSlices the API server accepts (a pure function): at most 128 devices per slice, 64 when any
 * device of the slice consumes counters or has taints, at most 8 counter sets and 32 counters per slice; counter sets
 * beside the devices that consume them (1.34) or in slices of their own (1.35 and later). A GPU's devices never straddle
 * two slices in the 1.34 shape, since its counter set must sit beside them.
 */
public final class SliceSplitter {
    public static final int MAX_DEVICES = 128;
    public static final int MAX_DEVICES_WITH_COUNTERS_OR_TAINTS = 64;
    public static final int MAX_COUNTER_SETS = 8;
    public static final int MAX_COUNTERS = 32;

    private SliceSplitter() {
    }

    public static List<PoolSlice> split(DevicePlan plan, SliceShape shape) {
        List<PoolSlice> slices = shape == SliceShape.COUNTERS_BESIDE_DEVICES ? beside(plan) : apart(plan);
        return slices.isEmpty() ? List.of(new PoolSlice(List.of(), List.of())) : slices;
    }

    private static List<PoolSlice> beside(DevicePlan plan) {
        List<PoolSlice> slices = new ArrayList<>();
        List<CounterSet> sets = new ArrayList<>();
        List<DraDevice> devices = new ArrayList<>();
        for (GpuDevices group : plan.groups()) {
            if (group.devices().size() > MAX_DEVICES_WITH_COUNTERS_OR_TAINTS && group.counterSet().isPresent()) {
                throw new IllegalStateException("GPU " + group.gpu().uuid() + " has " + group.devices().size()
                        + " partition devices, more than one slice can hold beside its counter set");
            }
            List<CounterSet> nextSets = new ArrayList<>(sets);
            group.counterSet().ifPresent(nextSets::add);
            List<DraDevice> nextDevices = new ArrayList<>(devices);
            nextDevices.addAll(group.devices());
            if (!devices.isEmpty() && !fits(nextSets, nextDevices)) {
                slices.add(new PoolSlice(sets, devices));
                sets = new ArrayList<>();
                devices = new ArrayList<>();
                group.counterSet().ifPresent(sets::add);
                devices.addAll(group.devices());
            } else {
                sets = nextSets;
                devices = nextDevices;
            }
        }
        if (!devices.isEmpty() || !sets.isEmpty()) {
            slices.add(new PoolSlice(sets, devices));
        }
        return slices;
    }

    private static List<PoolSlice> apart(DevicePlan plan) {
        List<PoolSlice> slices = new ArrayList<>();
        List<CounterSet> sets = new ArrayList<>();
        for (CounterSet set : plan.counterSets()) {
            List<CounterSet> next = new ArrayList<>(sets);
            next.add(set);
            if (!sets.isEmpty() && !fits(next, List.of())) {
                slices.add(new PoolSlice(sets, List.of()));
                sets = new ArrayList<>(List.of(set));
            } else {
                sets = next;
            }
        }
        if (!sets.isEmpty()) {
            slices.add(new PoolSlice(sets, List.of()));
        }
        List<DraDevice> devices = new ArrayList<>();
        for (DraDevice device : plan.devices()) {
            List<DraDevice> next = new ArrayList<>(devices);
            next.add(device);
            if (!devices.isEmpty() && !fits(List.of(), next)) {
                slices.add(new PoolSlice(List.of(), devices));
                devices = new ArrayList<>(List.of(device));
            } else {
                devices = next;
            }
        }
        if (!devices.isEmpty()) {
            slices.add(new PoolSlice(List.of(), devices));
        }
        return slices;
    }

    static boolean fits(List<CounterSet> sets, List<DraDevice> devices) {
        int counters = sets.stream().mapToInt(c -> c.counters().size()).sum();
        boolean limited = devices.stream().anyMatch(DraDevice::usesCountersOrTaints);
        int maxDevices = limited ? MAX_DEVICES_WITH_COUNTERS_OR_TAINTS : MAX_DEVICES;
        return sets.size() <= MAX_COUNTER_SETS && counters <= MAX_COUNTERS && devices.size() <= maxDevices;
    }
}
