package dev.tangram.dra.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;

/** A CDI spec file's content (the subset the driver writes): version, kind, spec-wide edits and devices. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CdiSpec(String cdiVersion, String kind, Edits containerEdits, List<Device> devices) {
    public CdiSpec {
        Objects.requireNonNull(cdiVersion, "cdiVersion");
        Objects.requireNonNull(kind, "kind");
        devices = List.copyOf(devices);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Edits(List<String> env, List<DeviceNode> deviceNodes) {
        public Edits {
            env = List.copyOf(env);
            deviceNodes = List.copyOf(deviceNodes);
        }
    }

    public record DeviceNode(String path) {
        public DeviceNode {
            Objects.requireNonNull(path, "path");
        }
    }

    public record Device(String name, Edits containerEdits) {
        public Device {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(containerEdits, "containerEdits");
        }
    }
}
