package dev.tangram.inference.gguf;

/** Metadata value types of GGUF, with their ids in the file. */
public enum GgufValueType {
    UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9), UINT64(10),
    INT64(11), FLOAT64(12);

    private final int id;

    GgufValueType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static GgufValueType ofId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GGUF value type id " + id);
    }

    /** Bytes one value takes, or -1 for strings and arrays (variable length). */
    public int fixedBytes() {
        return switch (this) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case STRING, ARRAY -> -1;
        };
    }
}
