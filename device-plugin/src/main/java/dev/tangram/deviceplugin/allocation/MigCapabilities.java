package dev.tangram.deviceplugin.allocation;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Minor numbers of the MIG capability device nodes ({@code /dev/nvidia-caps/nvidia-cap<minor>}) that give a container
 * access to a GPU instance and its compute instance. Read from the driver's {@code mig-minors} table ({@code gpu0/gi1/access 12},
 * {@code gpu0/gi1/ci0/access 13}, ...); without the table, the driver's numbering is used: 1 and 2 are config and monitor,
 * then for each GPU 15 GPU instances of 9 minors each (the GI access, then its 8 CI accesses).
 */
public final class MigCapabilities {
    private static final int FIRST = 3;
    private static final int PER_GI = 9;
    private static final int GI_PER_GPU = 15;

    private final Map<String, Integer> table;

    private MigCapabilities(Map<String, Integer> table) {
        this.table = table;
    }

    /** Parses the table's text; malformed lines are skipped (the formula covers what they would have said). */
    public static MigCapabilities parse(String migMinors) {
        Map<String, Integer> t = new HashMap<>();
        for (String line : migMinors.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                try {
                    t.put(parts[0], Integer.parseInt(parts[1]));
                } catch (NumberFormatException ignored) {
                    // not a minor line
                }
            }
        }
        return new MigCapabilities(t);
    }

    public static MigCapabilities formula() {
        return new MigCapabilities(Map.of());
    }

    public int gpuInstanceAccess(int gpuMinor, int gi) {
        return lookup("gpu" + gpuMinor + "/gi" + gi + "/access").orElse(FIRST + gpuMinor * GI_PER_GPU * PER_GI + gi * PER_GI);
    }

    public int computeInstanceAccess(int gpuMinor, int gi, int ci) {
        return lookup("gpu" + gpuMinor + "/gi" + gi + "/ci" + ci + "/access")
                .orElse(FIRST + gpuMinor * GI_PER_GPU * PER_GI + gi * PER_GI + 1 + ci);
    }

    private OptionalInt lookup(String key) {
        Integer v = table.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }
}
