package dev.tangram.inference.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Where the elements of a {@code float[]} meet 64-byte cache lines. A 64-byte vector load that straddles two lines costs
 * two first-level cache accesses, and the batched matmul's register tile does eight such loads per sixteen multiply-adds:
 * with both of its operands on line boundaries it ran ~30 % faster (docs/inference-engine.md, "Profile").
 * <p>
 * Java does not say where an array lives, and the collector moves it. But when every object starts on a 64-byte boundary
 * ({@code -XX:ObjectAlignmentInBytes=64}, which {@code bin/tangram} and the image set for the engine), element {@code i}
 * of any {@code float[]} lies {@code header + 4·i} bytes past a boundary, wherever the array is moved: so one index,
 * the same for every array, is on a line. Without that option the answer is 0, and the kernels run unaligned, as before.
 */
public final class LineAlignment {
    static final int LINE_BYTES = 64;
    /** Floats per cache line. */
    static final int LINE_FLOATS = LINE_BYTES / Float.BYTES;

    private static final int FIRST_ALIGNED_FLOAT = firstAlignedFloat(objectAlignment(), floatArrayBaseOffset());

    private LineAlignment() {}

    /**
     * The index of the first element of every {@code float[]} that starts a cache line in this JVM, or 0 when arrays have no
     * fixed place on the lines.
     */
    public static int firstAlignedFloat() {
        return FIRST_ALIGNED_FLOAT;
    }

    /**
     * The first index that starts a cache line, for objects aligned to {@code objectAlignment} bytes whose float elements
     * start {@code baseOffset} bytes into the object; 0 when objects are not aligned to whole lines or the offset is unknown
     * (negative) or not a whole number of floats.
     */
    static int firstAlignedFloat(int objectAlignment, int baseOffset) {
        if (objectAlignment <= 0 || objectAlignment % LINE_BYTES != 0 || baseOffset < 0 || baseOffset % Float.BYTES != 0) {
            return 0;
        }
        return (LINE_BYTES - baseOffset % LINE_BYTES) % LINE_BYTES / Float.BYTES;
    }

    /** The JVM's object alignment in bytes, or 0 where it cannot be read (not HotSpot). */
    private static int objectAlignment() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(vm.getVMOption("ObjectAlignmentInBytes").getValue());
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /**
     * Bytes from the start of a {@code float[]} to its first element, or -1 where it cannot be read. Read reflectively from
     * {@code sun.misc.Unsafe}'s public constant (no memory access through it): the header's size depends on the JVM's
     * object layout options.
     */
    private static int floatArrayBaseOffset() {
        try {
            return Class.forName("sun.misc.Unsafe").getField("ARRAY_FLOAT_BASE_OFFSET").getInt(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
