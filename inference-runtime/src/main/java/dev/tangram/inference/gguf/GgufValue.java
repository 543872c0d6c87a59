package dev.tangram.inference.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value. Scalars are boxed: UINT8/INT8/UINT16/INT16/INT32 as {@link Integer} (unsigned kept unsigned),
 * UINT32/UINT64/INT64 as {@link Long}, FLOAT32 as {@link Float}, FLOAT64 as {@link Double}, BOOL as {@link Boolean},
 * STRING as {@link String}. Arrays hold a Java array of their element type: {@code byte[]} (8-bit), {@code short[]}
 * (16-bit), {@code int[]} (32-bit), {@code long[]} (64-bit), {@code float[]}, {@code double[]}, {@code boolean[]},
 * {@code String[]}, or {@code GgufValue[]} for arrays of arrays. Unsigned array elements are stored bit for bit.
 *
 * @param type        the value's type
 * @param elementType for arrays, the type of their elements; otherwise null
 * @param value       the value, as above
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("an element type is given exactly for arrays");
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    public static GgufValue ofUint16(int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(v + " is no UINT16");
        }
        return new GgufValue(GgufValueType.UINT16, null, v);
    }

    public static GgufValue ofUint32(long v) {
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, null, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue ofStrings(String... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, values);
    }

    public static GgufValue ofFloats(float... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, values);
    }

    public static GgufValue ofBools(boolean... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, values);
    }

    public static GgufValue ofInt32s(int... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, values);
    }

    /** Number of elements of an array value. */
    public int length() {
        return switch (value) {
            case byte[] a -> a.length;
            case short[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case Object[] a -> a.length;
            default -> throw new IllegalStateException("not an array: " + type);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue(GgufValueType t, GgufValueType e, Object v) && t == type && e == elementType
                && Arrays.deepEquals(new Object[] {v}, new Object[] {value});
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        return type == GgufValueType.ARRAY ? "array<" + elementType + ">[" + length() + "]" : type + ":" + value;
    }
}
