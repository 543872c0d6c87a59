package dev.tangram.core.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The MIG profiles of each MIG-capable GPU model, from NVIDIA's MIG user guide: profile ids, compute and memory slices and
 * legal placements. Memory per instance is the nominal size in the profile's name.
 */
public enum MigProfileCatalog {
    A100_40GB(new String[] {"1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"}, ampereSms()),
    A100_80GB(new String[] {"1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"}, ampereSms()),
    H100_80GB(new String[] {"1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"}, hopperSms()),
    H100_94GB(new String[] {"1g.12gb", "1g.12gb+me", "1g.24gb", "2g.24gb", "3g.47gb", "4g.47gb", "7g.94gb"}, hopperSms()),
    H200_141GB(new String[] {"1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"}, hopperSms());

    /** The seven profile shapes every catalog shares, in the order of the names (a holder: enum constructors cannot read static fields). */
    private static final class Shape {
        static final int[] IDS = {19, 20, 15, 14, 9, 5, 0};
        static final int[] COMPUTE = {1, 1, 1, 2, 3, 4, 7};
        static final int[] MEMORY = {1, 1, 2, 2, 4, 4, 8};
        static final int[][] STARTS = {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}, {0, 2, 4, 6}, {0, 2, 4}, {0, 4}, {0}, {0}};
        static final int[] SIZE = {1, 1, 2, 2, 4, 4, 8};
    }

    private final List<MigProfile> profiles;

    MigProfileCatalog(String[] names, int[] smsByComputeSlices) {
        MigProfile[] list = new MigProfile[names.length];
        for (int i = 0; i < names.length; i++) {
            list[i] = new MigProfile(names[i], Shape.IDS[i], Shape.COMPUTE[i], Shape.MEMORY[i], nominalMib(names[i]),
                    smsByComputeSlices[Shape.COMPUTE[i]], toList(Shape.STARTS[i]), Shape.SIZE[i]);
        }
        this.profiles = List.of(list);
    }

    // index = compute slices
    private static int[] ampereSms() {
        return new int[] {0, 14, 28, 42, 56, 0, 0, 98};
    }

    private static int[] hopperSms() {
        return new int[] {0, 16, 32, 60, 64, 0, 0, 132};
    }

    private static List<Integer> toList(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    private static long nominalMib(String name) {
        String gb = name.substring(name.indexOf('.') + 1).replace("+me", "");
        return Long.parseLong(gb.substring(0, gb.length() - 2)) * 1024L;
    }

    public List<MigProfile> profiles() {
        return profiles;
    }

    public Optional<MigProfile> profile(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The whole-GPU memory this catalog's GPU has, in MiB (the 7g profile's nominal size). */
    public long nominalMemoryMib() {
        return profiles.getLast().memoryMib();
    }

    /**
     * The catalog for a GPU, from its product name and memory; empty when the GPU cannot do MIG. Memory decides between
     * the variants of one product (A100 40/80 GB, H100 80/94 GB).
     */
    public static Optional<MigProfileCatalog> forGpu(String product, long memoryMib) {
        String p = product.toUpperCase(Locale.ROOT);
        long gib = Math.round(memoryMib / 1024.0);
        if (p.contains("A100") || p.contains("A30")) {
            if (p.contains("A30")) {
                return Optional.empty();
            }
            return Optional.of(gib <= 48 ? A100_40GB : A100_80GB);
        }
        if (p.contains("H200")) {
            return Optional.of(H200_141GB);
        }
        if (p.contains("H100") || p.contains("GH200")) {
            return Optional.of(gib <= 86 ? H100_80GB : H100_94GB);
        }
        return Optional.empty();
    }
}
