package dev.tangram.inference.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The key/value metadata of a GGUF file, in file order, with typed getters that name the key when it is wrong. */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufFormatException("GGUF metadata key '" + key + "' is missing");
        }
        return v;
    }

    public String getString(String key) {
        return as(key, String.class);
    }

    public Optional<String> findString(String key) {
        return contains(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** An integer of any GGUF integer type that fits in a Java int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GgufFormatException("GGUF metadata key '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return contains(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        GgufValue v = get(key);
        return switch (v.value()) {
            case Integer i -> i;
            case Long l -> l;
            default -> throw wrongType(key, v, "an integer");
        };
    }

    /** A float32 or float64 (or an integer) value. */
    public float getFloat(String key) {
        GgufValue v = get(key);
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Integer i -> i;
            case Long l -> l;
            default -> throw wrongType(key, v, "a number");
        };
    }

    public float getFloat(String key, float fallback) {
        return contains(key) ? getFloat(key) : fallback;
    }

    public boolean getBool(String key, boolean fallback) {
        return contains(key) ? as(key, Boolean.class) : fallback;
    }

    public String[] getStringArray(String key) {
        return array(key, GgufValueType.STRING, String[].class);
    }

    public float[] getFloatArray(String key) {
        return array(key, GgufValueType.FLOAT32, float[].class);
    }

    /** An array of INT32 or UINT32 elements. */
    public int[] getIntArray(String key) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.ARRAY || !(v.value() instanceof int[] a)) {
            throw wrongType(key, v, "an array of 32-bit integers");
        }
        return a;
    }

    private <T> T array(String key, GgufValueType element, Class<T> javaType) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.ARRAY || v.elementType() != element) {
            throw wrongType(key, v, "an array of " + element);
        }
        return javaType.cast(v.value());
    }

    private <T> T as(String key, Class<T> type) {
        GgufValue v = get(key);
        if (!type.isInstance(v.value())) {
            throw wrongType(key, v, "a " + type.getSimpleName());
        }
        return type.cast(v.value());
    }

    private static GgufFormatException wrongType(String key, GgufValue v, String expected) {
        return new GgufFormatException("GGUF metadata key '" + key + "' should be " + expected + " but is " + v);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
