package dev.tangram.deviceplugin.config;

/** Where the replicas of different containers go: onto the busiest GPU that still fits ({@code packed}) or the idlest ({@code spread}). */
public enum SharedPolicy {
    PACKED, SPREAD;

    public static SharedPolicy parse(String text) {
        return ConfigValues.oneOf(SharedPolicy.class, text);
    }

    public String spelling() {
        return name().toLowerCase();
    }
}
