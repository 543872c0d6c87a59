package dev.tangram.dra.prepare;

import dev.tangram.dra.checkpoint.DeviceEntry;

import java.util.List;
import java.util.Objects;

/** The answer for one claim: its prepared devices, or an error for the kubelet. */
public sealed interface PrepareResult {
    record Prepared(List<DeviceEntry> devices) implements PrepareResult {
        public Prepared {
            devices = List.copyOf(devices);
        }
    }

    record Failed(String error) implements PrepareResult {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
