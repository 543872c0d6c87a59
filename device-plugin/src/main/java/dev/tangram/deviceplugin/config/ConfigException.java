package dev.tangram.deviceplugin.config;

/** A setting that cannot be used; the message names the field, where it came from, and why. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
