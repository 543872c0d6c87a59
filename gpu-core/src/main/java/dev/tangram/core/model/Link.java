package dev.tangram.core.model;

import java.util.Objects;

/** How one GPU reaches another: the number of NVLinks between them and their PCIe relation. */
public record Link(int nvlinks, PcieRelation pcie) {
    public Link {
        Objects.requireNonNull(pcie, "pcie");
        if (nvlinks < 0) {
            throw new IllegalArgumentException("nvlinks must not be negative: " + nvlinks);
        }
    }

    /** What {@code nvidia-smi topo -m} prints for this pair: NV<n> when NVLinked, else the PCIe relation. */
    public String smiName() {
        return nvlinks > 0 ? "NV" + nvlinks : pcie.smiName();
    }
}
