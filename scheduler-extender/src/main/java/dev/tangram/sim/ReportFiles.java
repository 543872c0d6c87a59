package dev.tangram.sim;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/** Writes summary.csv, curves.csv and report.html into the output directory, each atomically (temp file, fsync, rename). */
final class ReportFiles {
    static final String CURVES_HEADER = "policy,seed,arrived_pct,alloc_pct,frag_pct";

    private ReportFiles() {
    }

    static void write(Path dir, Summary summary, List<RunResult> runs) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("summary.csv"), summary.csv());
        writeAtomically(dir.resolve("curves.csv"), curves(runs));
        writeAtomically(dir.resolve("report.html"), HtmlReport.render(summary, runs));
    }

    static String curves(List<RunResult> runs) {
        StringBuilder sb = new StringBuilder(CURVES_HEADER).append('\n');
        for (RunResult r : runs) {
            for (int x = 0; x < r.allocPct().length; x++) {
                if (!Double.isNaN(r.allocPct()[x])) {
                    sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f%n", r.policy(), r.seed(), x, r.allocPct()[x], r.fragPct()[x]));
                }
            }
        }
        return sb.toString();
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
