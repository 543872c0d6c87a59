package dev.tangram.deviceplugin.grpc;

import java.util.List;

/** Told about each container Allocate answered (metrics, the pod annotation). */
public interface AllocationObserver {
    void allocated(String resource, List<String> deviceIds);

    AllocationObserver NONE = (resource, ids) -> {
    };
}
