package dev.tangram.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report: the summary table, allocation against arrival per policy (mean over seeds), cluster
 * fragmentation against arrival, and a node x GPU heat map at saturation per policy (first seed). Inline SVG only.
 */
final class HtmlReport {
    private static final String[] COLOURS = {"#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#111111", "#8c564b"};
    private static final int W = 720;
    private static final int H = 360;
    private static final int PAD = 48;

    private HtmlReport() {
    }

    static String render(Summary summary, List<RunResult> runs) {
        Map<String, List<RunResult>> byPolicy = new LinkedHashMap<>();
        for (RunResult r : runs) {
            byPolicy.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Tangram placement simulation</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}")
                .append("svg{background:#fff;border:1px solid #ddd;margin:8px 0}</style></head><body>\n")
                .append("<h1>Placement simulation</h1>\n<h2>Summary</h2>\n<table><tr><th>policy</th><th>seeds</th><th>Alloc@100 (%)</th>")
                .append("<th>std</th><th>Alloc@130 (%)</th><th>failed GPU pods</th></tr>\n");
        for (Summary.Row r : summary.rows()) {
            sb.append(String.format(Locale.ROOT, "<tr><td style=\"text-align:left\">%s</td><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.1f</td></tr>%n",
                    esc(r.policy()), r.seeds(), r.allocAt100Mean(), r.allocAt100Std(), r.allocAt130Mean(), r.failedGpuPodsMean()));
        }
        sb.append("</table>\n<h2>GPU allocation against arrived GPU demand</h2>\n");
        sb.append(lineChart(byPolicy, true, "arrived GPU demand (% of capacity)", "allocated GPU (% of capacity)"));
        sb.append("<h2>Fragmentation against arrived GPU demand</h2>\n<p>Free GPU capacity the trace's typical tasks could not use "
                + "(the FGD measure, % of capacity).</p>\n");
        sb.append(lineChart(byPolicy, false, "arrived GPU demand (% of capacity)", "fragmented GPU (% of capacity)"));
        sb.append("<h2>GPUs at saturation</h2>\n<p>One column per node (sorted by allocation), one row per GPU; dark = allocated, "
                + "light = free, white = no such GPU. First seed of each policy.</p>\n");
        for (Map.Entry<String, List<RunResult>> e : byPolicy.entrySet()) {
            sb.append("<h3>").append(esc(e.getKey())).append("</h3>\n").append(heatMap(e.getValue().getFirst()));
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static String lineChart(Map<String, List<RunResult>> byPolicy, boolean alloc, String xLabel, String yLabel) {
        int maxX = byPolicy.values().stream().flatMap(List::stream).mapToInt(r -> r.allocPct().length - 1).max().orElse(100);
        double maxY = 0;
        Map<String, double[]> means = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunResult>> e : byPolicy.entrySet()) {
            double[] m = new double[maxX + 1];
            for (int x = 0; x <= maxX; x++) {
                double sum = 0;
                int n = 0;
                for (RunResult r : e.getValue()) {
                    double[] series = alloc ? r.allocPct() : r.fragPct();
                    if (x < series.length && !Double.isNaN(series[x])) {
                        sum += series[x];
                        n++;
                    }
                }
                m[x] = n == 0 ? Double.NaN : sum / n;
                if (n > 0) {
                    maxY = Math.max(maxY, m[x]);
                }
            }
            means.put(e.getKey(), m);
        }
        double yTop = alloc ? 100 : Math.max(1, Math.ceil(maxY / 5) * 5);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">%n", W + 160, H + 2 * PAD));
        axes(sb, maxX, yTop, xLabel, yLabel);
        int i = 0;
        for (Map.Entry<String, double[]> e : means.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            double[] m = e.getValue();
            for (int x = 0; x <= maxX; x++) {
                if (!Double.isNaN(m[x])) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x, maxX), py(m[x], yTop)));
                }
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"/>%n", colour, pts));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n",
                    PAD + W + 16, PAD + 10 + 18 * i, colour, PAD + W + 36, PAD + 15 + 18 * i, esc(e.getKey())));
            i++;
        }
        return sb.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder sb, int maxX, double yTop, String xLabel, String yLabel) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n", PAD, PAD + H, PAD + W, PAD + H));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n", PAD, PAD, PAD, PAD + H));
        for (int x = 0; x <= maxX; x += 10) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>%n",
                    px(x, maxX), PAD, px(x, maxX), PAD + H, px(x, maxX), PAD + H + 14, x));
        }
        for (int k = 0; k <= 5; k++) {
            double y = yTop * k / 5;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.0f</text>%n",
                    PAD, py(y, yTop), PAD + W, py(y, yTop), PAD - 4, py(y, yTop) + 4, y));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>%n", PAD + W / 2, PAD + H + 34, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
                PAD + H / 2, PAD + H / 2, esc(yLabel)));
    }

    private static double px(double x, int maxX) {
        return PAD + W * x / Math.max(1, maxX);
    }

    private static double py(double y, double yTop) {
        return PAD + H - H * y / yTop;
    }

    /** Nodes as columns (most allocated first), GPUs as rows; equal neighbouring cells of a row are drawn as one rectangle. */
    static String heatMap(RunResult r) {
        int n = r.finalFree().length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -r.finalFree()[i].length)
                .thenComparingDouble(i -> java.util.Arrays.stream(r.finalFree()[i]).average().orElse(0))
                .thenComparing(i -> r.nodeNames()[i]));
        int rows = java.util.Arrays.stream(r.finalFree()).mapToInt(a -> a.length).max().orElse(0);
        double cw = Math.max(0.5, Math.min(12, 900.0 / Math.max(1, n)));
        int ch = 14;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "<svg width=\"%.0f\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">%n",
                cw * n + 2, rows * ch + 2));
        for (int g = 0; g < rows; g++) {
            int start = 0;
            while (start < n) {
                int value = cell(r, order[start], g);
                int end = start + 1;
                while (end < n && cell(r, order[end], g) == value) {
                    end++;
                }
                if (value >= 0) {
                    int shade = 235 - value * 200 / 1000;
                    sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"rgb(%d,%d,255)\"/>%n",
                            1 + start * cw, 1 + g * ch, (end - start) * cw, ch - 1, shade, shade));
                }
                start = end;
            }
        }
        return sb.append("</svg>\n").toString();
    }

    /** Thousandths allocated on GPU {@code g} of node {@code i}, or -1 when the node has no such GPU. */
    private static int cell(RunResult r, int i, int g) {
        int[] free = r.finalFree()[i];
        return g < free.length ? 1000 - free[g] : -1;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
