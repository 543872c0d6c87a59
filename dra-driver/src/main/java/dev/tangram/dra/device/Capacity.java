package dev.tangram.dra.device;

import java.util.Objects;
import java.util.Optional;

/**
 * A device capacity: a Kubernetes quantity ({@code 81559Mi}, {@code 132}) and, for a device several claims may share, the
 * policy for what one claim may ask of it.
 */
public record Capacity(String quantity, Optional<SharePolicy> sharePolicy) {
    public Capacity {
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(sharePolicy, "sharePolicy");
    }

    public static Capacity of(String quantity) {
        return new Capacity(quantity, Optional.empty());
    }

    public static Capacity mebibytes(long mib) {
        return of(mib + "Mi");
    }

    /**
     * What one allocation consumes when several claims share the device: {@code defaultQuantity} when the claim asks
     * nothing (the whole capacity, so that a claim that asks nothing stays exclusive), else anything from {@code min} to
     * {@code max}.
     */
    public record SharePolicy(String defaultQuantity, String min, String max) {
        public SharePolicy {
            Objects.requireNonNull(defaultQuantity, "defaultQuantity");
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
        }
    }
}
