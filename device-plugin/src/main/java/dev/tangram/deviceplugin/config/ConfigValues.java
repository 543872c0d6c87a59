package dev.tangram.deviceplugin.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parsers for the value types of the config, each failing with a message that says what was expected. */
final class ConfigValues {
    private ConfigValues() {
    }

    static <E extends Enum<E>> E oneOf(Class<E> type, String text) {
        String wanted = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        String choices = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException("must be one of " + choices + ", got '" + text + "'");
    }

    /** {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}, {@code 250ms}, or ISO-8601 {@code PT5M}. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return nonNegative(Duration.parse(text.trim().toUpperCase(Locale.ROOT)), text);
            }
            if (t.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), text);
            }
            if (t.endsWith("s")) {
                return nonNegative(Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))), text);
            }
            if (t.endsWith("m")) {
                return nonNegative(Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))), text);
            }
            if (t.endsWith("h")) {
                return nonNegative(Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1))), text);
            }
            return nonNegative(Duration.ofSeconds(Long.parseLong(t)), text);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("must")) {
                throw iae;
            }
            throw new IllegalArgumentException("must be a duration such as 30s, 5m or PT5M, got '" + text + "'");
        }
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative, got '" + text + "'");
        }
        return d;
    }

    static int integer(String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number, got '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    static boolean bool(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false, got '" + text + "'");
        };
    }
}
