package dev.tangram.deviceplugin.config;

/** How MIG devices are offered: ignored ({@code none}), as {@code nvidia.com/gpu} ({@code single}), or one resource per profile ({@code mixed}). */
public enum MigStrategy {
    NONE, SINGLE, MIXED;

    public static MigStrategy parse(String text) {
        return ConfigValues.oneOf(MigStrategy.class, text);
    }

    public String spelling() {
        return name().toLowerCase();
    }
}
