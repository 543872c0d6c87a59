package dev.tangram.dra.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One claim in the checkpoint: who it is, how far prepare got, its devices and the MIG devices it needs. */
public record ClaimEntry(String uid, String namespace, String name, ClaimState state, List<DeviceEntry> devices,
                         List<MigEntry> migDevices) {
    public ClaimEntry {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        devices = List.copyOf(devices == null ? List.of() : devices);
        migDevices = List.copyOf(migDevices == null ? List.of() : migDevices);
    }

    public ClaimEntry withState(ClaimState newState) {
        return new ClaimEntry(uid, namespace, name, newState, devices, migDevices);
    }

    /** A copy where the MIG entry for {@code device} has its created UUID. */
    public ClaimEntry withMigCreated(String device, String migUuid) {
        List<MigEntry> migs = new ArrayList<>();
        boolean found = false;
        for (MigEntry m : migDevices) {
            if (m.device().equals(device)) {
                migs.add(m.created(migUuid));
                found = true;
            } else {
                migs.add(m);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("claim " + uid + " planned no MIG device " + device);
        }
        return new ClaimEntry(uid, namespace, name, state, devices, migs);
    }
}
