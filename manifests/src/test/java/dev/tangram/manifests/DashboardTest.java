package dev.tangram.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the Grafana dashboard queries is one a binary registers: the metric names are read from the binaries' main
 * sources (the string literals given to Micrometer and the Prometheus client), and a queried series matches one with the
 * suffixes the Prometheus exposition adds (_total to counters, _seconds to Micrometer timers, _bucket/_count/_sum/_max).
 */
class DashboardTest {
    private static final Path DASHBOARD = Chart.ROOT.resolve("manifests/dashboards/tangram.json");
    private static final Pattern METRIC = Pattern.compile("\\b(tangram_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+|vllm:[a-z0-9_]+)");
    private static final Pattern LITERAL = Pattern.compile("\"(tangram_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+|vllm:[a-z0-9_]+)\"");
    private static final List<String> MODULES = List.of("device-plugin", "dra-driver", "scheduler-extender", "inference-runtime");

    /** Metric names given to a registry in the binaries' main code. */
    static Set<String> registeredNames() {
        Set<String> names = new TreeSet<>();
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(Chart.ROOT.resolve(module).resolve("src/main/java"))) {
                files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                    try {
                        String src = Files.readString(p);
                        if (!src.contains("io.micrometer") && !src.contains("io.prometheus")) {
                            return;
                        }
                        Matcher m = LITERAL.matcher(src);
                        while (m.find()) {
                            names.add(m.group(1));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    /** Whether a queried series comes from a registered metric, once exposition suffixes are taken off. */
    static boolean exported(String series, Set<String> registered) {
        String s = series.replaceFirst("_(bucket|count|sum|max)$", "");
        return registered.contains(series) || registered.contains(s) || registered.contains(s.replaceFirst("_total$", ""))
                || registered.contains(s.replaceFirst("_seconds$", ""));
    }

    private static List<String> expressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.has("definition")) {
                exprs.add(v.get("definition").asText());
            }
        });
        return exprs;
    }

    @Test
    void everyQueriedMetricIsRegisteredByABinary() throws IOException {
        Set<String> registered = registeredNames();
        assertThat(registered).contains("DCGM_FI_DEV_GPU_UTIL", "tangram_extender_request_seconds", "vllm:time_to_first_token_seconds");
        List<String> exprs = expressions();
        assertThat(exprs).hasSizeGreaterThan(15);
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            List<String> used = new ArrayList<>();
            while (m.find()) {
                used.add(m.group(1));
            }
            assertThat(used).as("query without a Tangram metric: " + expr).isNotEmpty();
            assertThat(used).as(expr).allMatch(series -> exported(series, registered), "is registered by a binary");
        }
    }

    @Test
    void theDashboardCoversWhatTheIssueAsksFor() throws IOException {
        String all = String.join("\n", expressions());
        assertThat(all).contains("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "tangram_device_plugin_allocated_devices",
                "tangram_extender_request_seconds_bucket", "tangram_extender_rejections_total", "vllm:time_to_first_token_seconds_bucket",
                "vllm:generation_tokens_total", "vllm:kv_cache_usage_perc");
    }

    @Test
    void aMisspelledMetricIsCaught() {
        Set<String> registered = registeredNames();
        assertThat(exported("tangram_extender_request_seconds_bucket", registered)).isTrue();
        assertThat(exported("tangram_dra_prepare_seconds_bucket", registered)).isTrue();
        assertThat(exported("tangram_extender_requests_seconds_bucket", registered)).isFalse();
        assertThat(exported("tangram_extender_stranded_gpus", registered)).isFalse();
    }
}
