package dev.tangram.inference.gguf;

/**
 * Tensor element types of the GGML family, with the ids the GGUF format stores and their block geometry: a tensor of
 * {@code n} elements of a quantized type takes {@code n / blockElements * blockBytes} bytes.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2),
    /** The OCP microscaling 4-bit float: an E8M0 scale and 32 E2M1 nibbles ({@code block_mxfp4}). */
    MXFP4(39, 32, 17);

    private final int id;
    private final int blockElements;
    private final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    public int blockElements() {
        return blockElements;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** The type with this GGUF id; a clear error for ids this reader does not know. */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GGML tensor type id " + id);
    }

    /** Bytes of {@code elements} elements; {@code elements} must be a whole number of blocks. */
    public long bytesFor(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + this + " blocks of " + blockElements);
        }
        return elements / blockElements * blockBytes;
    }
}
