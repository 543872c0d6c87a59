package dev.tangram.dra.device;

import java.util.Objects;

/** One device attribute value as resource.k8s.io/v1 knows them: exactly one of int, bool, string or semantic version. */
public sealed interface AttributeValue {
    /** Strings and versions are limited to 64 characters by the API. */
    int MAX_STRING_LENGTH = 64;

    record IntValue(long value) implements AttributeValue {
    }

    record BoolValue(boolean value) implements AttributeValue {
    }

    record StringValue(String value) implements AttributeValue {
        public StringValue {
            Objects.requireNonNull(value, "value");
            if (value.length() > MAX_STRING_LENGTH) {
                throw new IllegalArgumentException("string attribute longer than " + MAX_STRING_LENGTH + " characters: " + value);
            }
        }
    }

    /** A semantic version, {@code MAJOR.MINOR.PATCH}. */
    record VersionValue(String value) implements AttributeValue {
        public VersionValue {
            Objects.requireNonNull(value, "value");
            if (!value.matches("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?")) {
                throw new IllegalArgumentException("not a semantic version: '" + value + "'");
            }
        }

        /** Pads {@code 12.4} to {@code 12.4.0}; keeps {@code 550.54.15}; drops leading zeros of each part. */
        public static VersionValue lenient(String text) {
            String[] parts = text.trim().split("\\.");
            if (parts.length == 0 || parts.length > 3) {
                throw new IllegalArgumentException("not a version: '" + text + "'");
            }
            long[] numbers = new long[3];
            for (int i = 0; i < parts.length; i++) {
                try {
                    numbers[i] = Long.parseLong(parts[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a version: '" + text + "'");
                }
            }
            return new VersionValue(numbers[0] + "." + numbers[1] + "." + numbers[2]);
        }
    }

    static AttributeValue of(long value) {
        return new IntValue(value);
    }

    static AttributeValue of(String value) {
        return new StringValue(value);
    }

    static AttributeValue version(String text) {
        return VersionValue.lenient(text);
    }
}
