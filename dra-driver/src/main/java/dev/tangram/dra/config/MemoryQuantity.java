package dev.tangram.dra.config;

import java.math.BigDecimal;
import java.util.Map;

/** A Kubernetes memory quantity ({@code 10Gi}, {@code 512Mi}, {@code 2G}, {@code 1073741824}) in bytes. */
public record MemoryQuantity(long bytes) {
    private static final Map<String, Long> SUFFIXES = Map.of(
            "", 1L, "k", 1000L, "M", 1000L * 1000, "G", 1000L * 1000 * 1000, "T", 1000L * 1000 * 1000 * 1000,
            "Ki", 1024L, "Mi", 1024L * 1024, "Gi", 1024L * 1024 * 1024, "Ti", 1024L * 1024 * 1024 * 1024);

    public MemoryQuantity {
        if (bytes < 0) {
            throw new IllegalArgumentException("memory must not be negative");
        }
    }

    public static MemoryQuantity parse(String text) {
        String t = text.trim();
        int end = t.length();
        while (end > 0 && Character.isLetter(t.charAt(end - 1))) {
            end--;
        }
        String suffix = t.substring(end);
        Long factor = SUFFIXES.get(suffix);
        if (factor == null || end == 0) {
            throw new IllegalArgumentException("not a memory quantity: '" + text + "' (use e.g. 10Gi, 512Mi or bytes)");
        }
        try {
            BigDecimal number = new BigDecimal(t.substring(0, end));
            return new MemoryQuantity(number.multiply(BigDecimal.valueOf(factor)).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a memory quantity: '" + text + "' (use e.g. 10Gi, 512Mi or bytes)");
        }
    }

    public long mib() {
        return bytes / (1024L * 1024);
    }
}
