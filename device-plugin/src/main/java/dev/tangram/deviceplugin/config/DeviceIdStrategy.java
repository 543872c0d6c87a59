package dev.tangram.deviceplugin.config;

/** Whether containers are told device UUIDs or nvidia-smi indices. */
public enum DeviceIdStrategy {
    UUID, INDEX;

    public static DeviceIdStrategy parse(String text) {
        return ConfigValues.oneOf(DeviceIdStrategy.class, text);
    }

    public String spelling() {
        return name().toLowerCase();
    }
}
