package dev.tangram.core.placement;

import java.util.Objects;

/**
 * One container's GPU request.
 *
 * @param container the container name
 * @param resource  the extended resource it asked for ({@code nvidia.com/gpu}, {@code nvidia.com/mig-1g.10gb}, ...)
 * @param demand    what that amounts to
 */
public record ContainerDemand(String container, String resource, GpuDemand demand) {
    public ContainerDemand {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(demand, "demand");
    }
}
