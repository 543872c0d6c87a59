package dev.tangram.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole command on a 60-node, 300-pod slice of the Alibaba trace. */
class SimulateCommandIT {
    @TempDir
    Path out;

    private static Path slice(String file) throws URISyntaxException {
        return Path.of(SimulateCommandIT.class.getResource("/openb-slice/" + file).toURI());
    }

    @Test
    void writesSummaryCurvesAndASelfContainedReportForEveryPolicyAndSeed() throws Exception {
        int rc = SimulateCommand.commandLine().execute("--nodes", slice("nodes.csv").toString(), "--pods", slice("pods.csv").toString(),
                "--policy", "random,bestfit,dotprod,packing,clustering,fgd,tangram", "--seeds", "2", "--tune", "1.3", "--threads", "2",
                "--out", out.toString());
        assertThat(rc).isZero();
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertThat(summary.getFirst()).isEqualTo("policy,seeds,alloc_at_100_mean,alloc_at_100_std,alloc_at_130_mean,failed_gpu_pods_mean");
        assertThat(summary).hasSize(8);
        for (String row : summary.subList(1, summary.size())) {
            String[] f = row.split(",");
            assertThat(f[1]).isEqualTo("2");
            assertThat(Double.parseDouble(f[2])).isBetween(50.0, 100.0);
            assertThat(Double.parseDouble(f[4])).isGreaterThanOrEqualTo(Double.parseDouble(f[2]) - 1e-9);
        }
        List<String> curves = Files.readAllLines(out.resolve("curves.csv"));
        assertThat(curves.getFirst()).isEqualTo("policy,seed,arrived_pct,alloc_pct,frag_pct");
        assertThat(curves).anyMatch(l -> l.startsWith("fgd,43,100,"));
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg", "<polyline", "GPUs at saturation", "tangram").doesNotContain("<script", "src=\"http", "href=\"http");
    }

    @Test
    void tangramAllocatesAtLeastAsMuchAsBestFitOnTheSliceAtEveryArrivalLevel() throws Exception {
        int rc = SimulateCommand.commandLine().execute("--nodes", slice("nodes.csv").toString(), "--pods", slice("pods.csv").toString(),
                "--policy", "bestfit,tangram", "--seeds", "3", "--threads", "2", "--out", out.toString());
        assertThat(rc).isZero();
        double[][] mean = new double[2][140];
        for (String line : Files.readAllLines(out.resolve("curves.csv")).subList(1, Files.readAllLines(out.resolve("curves.csv")).size())) {
            String[] f = line.split(",");
            mean[f[0].equals("bestfit") ? 0 : 1][Integer.parseInt(f[2])] += Double.parseDouble(f[3]) / 3;
        }
        for (int x = 0; x <= 125; x++) {
            assertThat(mean[1][x]).as(String.format(Locale.ROOT, "Alloc@%d", x)).isGreaterThanOrEqualTo(mean[0][x] - 1e-9);
        }
    }

    @Test
    void aBadPolicyNameOrFileIsAUsageErrorNotACrash() throws Exception {
        CommandLine cmd = SimulateCommand.commandLine();
        cmd.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertThat(cmd.execute("--nodes", slice("nodes.csv").toString(), "--pods", slice("pods.csv").toString(), "--policy", "worstfit",
                "--out", out.toString())).isEqualTo(2);
        java.io.StringWriter err = new java.io.StringWriter();
        cmd.setErr(new java.io.PrintWriter(err, true));
        assertThat(cmd.execute("--nodes", out.resolve("missing.csv").toString(), "--pods", slice("pods.csv").toString(),
                "--out", out.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("missing.csv: no such file").doesNotContain("at dev.tangram");
    }
}
