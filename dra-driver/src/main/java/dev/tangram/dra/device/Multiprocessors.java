package dev.tangram.dra.device;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Streaming multiprocessors of a whole GPU by product name (from the vendors' data sheets). The probe does not report
 * them; an unknown product gets no {@code multiprocessors} capacity rather than a guess.
 */
public final class Multiprocessors {
    private record Entry(String productPart, int sms) {
    }

    // more specific names first
    private static final List<Entry> TABLE = List.of(
            new Entry("H100 PCIE", 114), new Entry("H100", 132), new Entry("H200", 132), new Entry("GH200", 132),
            new Entry("B200", 148), new Entry("A100", 108), new Entry("A30", 56), new Entry("L40S", 142),
            new Entry("L40", 142), new Entry("L4", 58), new Entry("A10", 72), new Entry("T4", 40));

    private Multiprocessors() {
    }

    public static OptionalInt forProduct(String product) {
        String p = product.toUpperCase(Locale.ROOT);
        for (Entry e : TABLE) {
            if (p.contains(e.productPart())) {
                return OptionalInt.of(e.sms());
            }
        }
        return OptionalInt.empty();
    }
}
