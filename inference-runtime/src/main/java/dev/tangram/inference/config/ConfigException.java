package dev.tangram.inference.config;

/** A configuration file that cannot be used; the message names the field and the reason. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
