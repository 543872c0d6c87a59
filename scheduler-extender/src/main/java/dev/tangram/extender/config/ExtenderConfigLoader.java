package dev.tangram.extender.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.PackingScorer;
import dev.tangram.extender.placement.PolicyCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the extender's YAML config over {@link ExtenderConfig#defaults()}. Unknown keys, wrong types and out-of-range
 * values stop startup with a {@link ConfigException} naming the key and the reason.
 */
public final class ExtenderConfigLoader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private ExtenderConfigLoader() {
    }

    /** A config the extender refuses to start with. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static ExtenderConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("config " + file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    @SuppressWarnings("unchecked")
    public static ExtenderConfig parse(String yaml, String source) {
        Object root;
        if (yaml.isBlank()) {
            return ExtenderConfig.defaults();
        }
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
        } catch (IOException e) {
            throw new ConfigException("config " + source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return ExtenderConfig.defaults();
        }
        if (!(root instanceof Map)) {
            throw new ConfigException("config " + source + ": the top level must be a mapping");
        }
        Reader r = new Reader(source, (Map<String, Object>) root, "");
        r.allow("http", "scoring", "assumeTtl", "gangTtl", "sharedResources", "leaderElection");
        ExtenderConfig d = ExtenderConfig.defaults();

        Reader http = r.section("http");
        http.allow("host", "port", "urlPrefix", "maxRequestBytes", "tls");
        Reader tls = http.section("tls");
        tls.allow("certFile", "keyFile", "clientCaFile");
        Optional<Path> cert = tls.string("certFile").map(Path::of);
        Optional<Path> key = tls.string("keyFile").map(Path::of);
        Optional<Path> ca = tls.string("clientCaFile").map(Path::of);
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException("config " + source + ": http.tls needs both certFile and keyFile");
        }
        if (ca.isPresent() && cert.isEmpty()) {
            throw new ConfigException("config " + source + ": http.tls.clientCaFile needs http.tls.certFile and keyFile");
        }
        for (Map.Entry<String, Optional<Path>> f : Map.of("http.tls.certFile", cert, "http.tls.keyFile", key, "http.tls.clientCaFile", ca).entrySet()) {
            if (f.getValue().isPresent() && !Files.isReadable(f.getValue().get())) {
                throw new ConfigException("config " + source + ": " + f.getKey() + " " + f.getValue().get() + " is not a readable file");
            }
        }
        ExtenderConfig.Http h = new ExtenderConfig.Http(
                http.string("host").orElse(d.http().host()),
                http.number("port", 0, 65535).orElse((long) d.http().port()).intValue(),
                http.string("urlPrefix").orElse(d.http().urlPrefix()),
                http.number("maxRequestBytes", 1024, 1L << 31).orElse(d.http().maxRequestBytes()),
                cert, key, ca);

        Reader scoring = r.section("scoring");
        scoring.allow("policy", "seed", "packing", "weights");
        String policy = scoring.string("policy").orElse(d.scoring().policy());
        if (!PolicyCatalog.names().contains(policy)) {
            throw new ConfigException("config " + source + ": scoring.policy '" + policy + "' is unknown; known: " + PolicyCatalog.names());
        }
        String packing = scoring.string("packing").orElse("packed");
        PackingScorer.Mode mode = switch (packing) {
            case "packed" -> PackingScorer.Mode.PACKED;
            case "spread" -> PackingScorer.Mode.SPREAD;
            default -> throw new ConfigException("config " + source + ": scoring.packing must be packed or spread, got '" + packing + "'");
        };
        Reader weights = scoring.section("weights");
        weights.allow("topology", "fragmentation", "packing");
        NodeScorer.Weights dw = d.scoring().weights();
        NodeScorer.Weights w;
        try {
            w = new NodeScorer.Weights(weights.decimal("topology").orElse(dw.topology()),
                    weights.decimal("fragmentation").orElse(dw.fragmentation()), weights.decimal("packing").orElse(dw.packing()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config " + source + ": scoring.weights: " + e.getMessage());
        }
        ExtenderConfig.Scoring s = new ExtenderConfig.Scoring(policy, scoring.number("seed", Long.MIN_VALUE, Long.MAX_VALUE)
                .orElse(d.scoring().seed()), mode, w);

        Duration assumeTtl = r.duration("assumeTtl").orElse(d.assumeTtl());
        Duration gangTtl = r.duration("gangTtl").orElse(d.gangTtl());
        Set<String> shared = r.strings("sharedResources").map(l -> (Set<String>) new LinkedHashSet<>(l)).orElse(d.sharedResources());

        Reader le = r.section("leaderElection");
        le.allow("enabled", "namespace", "name", "leaseDuration", "followSchedulerLease");
        Optional<String> follow = le.string("followSchedulerLease");
        if (follow.isPresent() && !follow.get().matches("[a-z0-9.-]+/[a-z0-9.-]+")) {
            throw new ConfigException("config " + source + ": leaderElection.followSchedulerLease must be namespace/name, got '" + follow.get() + "'");
        }
        ExtenderConfig.LeaderElection l = new ExtenderConfig.LeaderElection(
                le.bool("enabled").orElse(d.leaderElection().enabled()),
                le.string("namespace").orElse(d.leaderElection().namespace()),
                le.string("name").orElse(d.leaderElection().name()),
                le.duration("leaseDuration").orElse(d.leaderElection().leaseDuration()), follow);
        if (l.leaseDuration().compareTo(Duration.ofSeconds(2)) < 0) {
            throw new ConfigException("config " + source + ": leaderElection.leaseDuration must be at least 2s");
        }
        return new ExtenderConfig(h, s, assumeTtl, gangTtl, Set.copyOf(shared), l);
    }

    /** Typed access to one mapping of the YAML, naming keys by their full path in errors. */
    private record Reader(String source, Map<String, Object> map, String path) {
        private ConfigException bad(String key, String why) {
            return new ConfigException("config " + source + ": " + path + key + " " + why);
        }

        void allow(String... keys) {
            Set<String> known = Set.of(keys);
            for (String k : map.keySet()) {
                if (!known.contains(k)) {
                    throw bad(k, "is not a known setting (known here: " + String.join(", ", List.of(keys)) + ")");
                }
            }
        }

        @SuppressWarnings("unchecked")
        Reader section(String key) {
            Object v = map.get(key);
            if (v == null) {
                return new Reader(source, Map.of(), path + key + ".");
            }
            if (!(v instanceof Map)) {
                throw bad(key, "must be a mapping");
            }
            return new Reader(source, (Map<String, Object>) v, path + key + ".");
        }

        Optional<String> string(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof String s) || s.isBlank()) {
                throw bad(key, "must be a non-empty string, got " + v);
            }
            return Optional.of(s);
        }

        Optional<Long> number(String key, long min, long max) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Integer || v instanceof Long)) {
                throw bad(key, "must be a whole number, got " + v);
            }
            long n = ((Number) v).longValue();
            if (n < min || n > max) {
                throw bad(key, "must be between " + min + " and " + max + ", got " + n);
            }
            return Optional.of(n);
        }

        Optional<Double> decimal(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
                throw bad(key, "must be a number >= 0, got " + v);
            }
            return Optional.of(n.doubleValue());
        }

        Optional<Boolean> bool(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Boolean b)) {
                throw bad(key, "must be true or false, got " + v);
            }
            return Optional.of(b);
        }

        Optional<Duration> duration(String key) {
            Optional<String> s = string(key);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            Matcher m = DURATION.matcher(s.get().trim());
            if (!m.matches()) {
                throw bad(key, "must be a duration like 500ms, 60s, 10m or 1h, got '" + s.get() + "'");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            if (d.isZero()) {
                throw bad(key, "must be longer than 0");
            }
            return Optional.of(d);
        }

        Optional<List<String>> strings(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(x -> x instanceof String s && !s.isBlank())) {
                throw bad(key, "must be a non-empty list of resource names");
            }
            return Optional.of(list.stream().map(Object::toString).toList());
        }
    }
}
