package dev.tangram.deviceplugin.config;

/** How a container learns which devices it got. */
public enum DeviceListStrategy {
    /** {@code NVIDIA_VISIBLE_DEVICES=<ids>}. */
    ENVVAR,
    /** {@code NVIDIA_VISIBLE_DEVICES=/var/run/nvidia-container-devices} plus one {@code /dev/null} mount per device. */
    VOLUME_MOUNTS,
    /** CDI device names {@code tangram.dev/gpu=<id>} from a CDI spec file the plugin writes. */
    CDI;

    public static DeviceListStrategy parse(String text) {
        return ConfigValues.oneOf(DeviceListStrategy.class, text);
    }

    public String spelling() {
        return name().toLowerCase().replace('_', '-');
    }
}
