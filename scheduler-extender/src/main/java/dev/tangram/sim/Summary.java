package dev.tangram.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Per policy, over its seeds: mean and standard deviation of Alloc@100, mean Alloc@130 and mean failed GPU pods. */
public record Summary(List<Row> rows) {
    public record Row(String policy, int seeds, double allocAt100Mean, double allocAt100Std, double allocAt130Mean, double failedGpuPodsMean) {
    }

    public static final String CSV_HEADER = "policy,seeds,alloc_at_100_mean,alloc_at_100_std,alloc_at_130_mean,failed_gpu_pods_mean";

    public static Summary of(List<RunResult> runs) {
        Map<String, List<RunResult>> byPolicy = new LinkedHashMap<>();
        for (RunResult r : runs) {
            byPolicy.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        byPolicy.forEach((policy, rs) -> rows.add(new Row(policy, rs.size(), mean(rs, 100), std(rs, 100), mean(rs, 130),
                rs.stream().mapToInt(RunResult::failedGpuPods).average().orElse(Double.NaN))));
        return new Summary(rows);
    }

    static double mean(List<RunResult> rs, int pct) {
        return rs.stream().mapToDouble(r -> r.allocAt(pct)).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n - 1); 0 for a single seed. */
    static double std(List<RunResult> rs, int pct) {
        if (rs.size() < 2) {
            return 0;
        }
        double m = mean(rs, pct);
        double ss = rs.stream().mapToDouble(r -> (r.allocAt(pct) - m) * (r.allocAt(pct) - m)).sum();
        return Math.sqrt(ss / (rs.size() - 1));
    }

    public String csv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%.2f,%.2f,%.2f,%.1f%n", r.policy(), r.seeds(), r.allocAt100Mean(),
                    r.allocAt100Std(), r.allocAt130Mean(), r.failedGpuPodsMean()));
        }
        return sb.toString();
    }

    /** The table for a terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %5s %10s %8s %10s %12s%n", "policy", "seeds",
                "Alloc@100", "std", "Alloc@130", "failed GPU"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-12s %5d %10.2f %8.2f %10.2f %12.1f%n", r.policy(), r.seeds(), r.allocAt100Mean(),
                    r.allocAt100Std(), r.allocAt130Mean(), r.failedGpuPodsMean()));
        }
        return sb.toString();
    }
}
