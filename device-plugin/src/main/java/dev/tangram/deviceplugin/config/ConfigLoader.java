package dev.tangram.deviceplugin.config;

import dev.tangram.core.model.GpuSharing;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the config file, the environment and the flags into a {@link PluginConfig}. Every setting has a dotted key (the
 * path in the YAML file), an environment variable and possibly a flag; flags win over the environment, which wins over the
 * file. Any value that cannot be used stops the load with a {@link ConfigException} naming the field, its source and the
 * reason. Unknown fields in the file are errors too (a typo must not silently fall back to a default).
 */
public final class ConfigLoader {
    public static final String VERSION = "v1";

    /** Keys with a scalar value, and the environment variable of each. */
    static final Map<String, String> SCALAR_KEYS;
    /** Keys whose value is a map (replicas per product, per index). */
    static final Set<String> MAP_KEYS = Set.of("sharing.perProduct", "sharing.perIndex");
    /** Keys whose value is a list. */
    static final Set<String> LIST_KEYS = Set.of("health.ignoredXids");

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("version", "");
        k.put("nodeName", "TANGRAM_NODE_NAME");
        k.put("nodeSpec", "TANGRAM_NODE_SPEC");
        k.put("kubeconfig", "TANGRAM_KUBECONFIG");
        k.put("migStrategy", "TANGRAM_MIG_STRATEGY");
        k.put("deviceListStrategy", "TANGRAM_DEVICE_LIST_STRATEGY");
        k.put("deviceIdStrategy", "TANGRAM_DEVICE_ID_STRATEGY");
        k.put("sharing.strategy", "TANGRAM_SHARING_STRATEGY");
        k.put("sharing.replicas", "TANGRAM_TIME_SLICING_REPLICAS");
        k.put("sharing.resourceName", "TANGRAM_SHARED_RESOURCE_NAME");
        k.put("sharing.renameByDefault", "TANGRAM_SHARED_RENAME_BY_DEFAULT");
        k.put("sharing.policy", "TANGRAM_SHARED_POLICY");
        k.put("sharing.failRequestsGreaterThanOne", "TANGRAM_SHARED_FAIL_REQUESTS_GREATER_THAN_ONE");
        k.put("sharing.mpsRoot", "TANGRAM_MPS_ROOT");
        k.put("health.ignoredXids", "TANGRAM_IGNORED_XIDS");
        k.put("health.quietPeriod", "TANGRAM_HEALTH_QUIET_PERIOD");
        k.put("paths.kubeletDir", "TANGRAM_KUBELET_DIR");
        k.put("paths.cdiDir", "TANGRAM_CDI_DIR");
        k.put("paths.devRoot", "TANGRAM_DEV_ROOT");
        k.put("paths.migMinors", "TANGRAM_MIG_MINORS_FILE");
        k.put("placement.decisionTtl", "TANGRAM_DECISION_TTL");
        k.put("http.port", "TANGRAM_HTTP_PORT");
        SCALAR_KEYS = Map.copyOf(k);
    }

    private record Setting(Object value, String source) {
    }

    private final Map<String, Setting> settings = new HashMap<>();

    private ConfigLoader() {
    }

    /**
     * @param file  the YAML file, if any
     * @param env   the process environment
     * @param flags settings given on the command line, by dotted key
     */
    public static PluginConfig load(Optional<Path> file, Map<String, String> env, Map<String, String> flags) {
        ConfigLoader loader = new ConfigLoader();
        file.ifPresent(loader::readFile);
        loader.readEnv(env);
        flags.forEach((key, value) -> {
            if (!SCALAR_KEYS.containsKey(key) && !LIST_KEYS.contains(key)) {
                throw new IllegalArgumentException("no such setting: " + key);
            }
            loader.settings.put(key, new Setting(value, "flag"));
        });
        return loader.build();
    }

    private void readFile(Path file) {
        String source = "config file " + file;
        Object root;
        try {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            root = yaml.load(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot be read: " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException(source + ": is not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            throw new ConfigException(source + ": is empty (it needs at least 'version: " + VERSION + "')");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(source + ": must be a YAML mapping at the top");
        }
        flatten("", map, source);
        Setting version = settings.get("version");
        if (version == null) {
            throw new ConfigException(source + ": field 'version' is missing (expected '" + VERSION + "')");
        }
        if (!VERSION.equals(String.valueOf(version.value()))) {
            throw new ConfigException(source + ": field 'version' is '" + version.value() + "'; this Tangram reads '" + VERSION + "'");
        }
    }

    private void flatten(String prefix, Map<?, ?> map, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (MAP_KEYS.contains(key)) {
                if (!(value instanceof Map<?, ?>)) {
                    throw new ConfigException(source + ": field '" + key + "' must be a mapping");
                }
                settings.put(key, new Setting(value, source));
            } else if (LIST_KEYS.contains(key)) {
                if (!(value instanceof List<?>)) {
                    throw new ConfigException(source + ": field '" + key + "' must be a list");
                }
                settings.put(key, new Setting(value, source));
            } else if (SCALAR_KEYS.containsKey(key)) {
                if (value instanceof Map<?, ?> || value instanceof List<?> || value == null) {
                    throw new ConfigException(source + ": field '" + key + "' must be a single value");
                }
                settings.put(key, new Setting(String.valueOf(value), source));
            } else if (value instanceof Map<?, ?> nested && isSection(key)) {
                flatten(key + ".", nested, source);
            } else {
                throw new ConfigException(source + ": unknown field '" + key + "' (known: " + new TreeMap<>(SCALAR_KEYS).keySet()
                        + ", " + MAP_KEYS + ", " + LIST_KEYS + ")");
            }
        }
    }

    private static boolean isSection(String key) {
        String dotted = key + ".";
        return SCALAR_KEYS.keySet().stream().anyMatch(k -> k.startsWith(dotted)) || MAP_KEYS.stream().anyMatch(k -> k.startsWith(dotted))
                || LIST_KEYS.stream().anyMatch(k -> k.startsWith(dotted));
    }

    private void readEnv(Map<String, String> env) {
        SCALAR_KEYS.forEach((key, var) -> {
            if (!var.isEmpty() && env.containsKey(var) && !env.get(var).isBlank()) {
                settings.put(key, new Setting(env.get(var), "environment variable " + var));
            }
        });
        if (!settings.containsKey("nodeName") && env.containsKey("NODE_NAME") && !env.get("NODE_NAME").isBlank()) {
            settings.put("nodeName", new Setting(env.get("NODE_NAME"), "environment variable NODE_NAME"));
        }
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private <T> T get(String key, T fallback, Parser<T> parser) {
        Setting s = settings.get(key);
        if (s == null) {
            return fallback;
        }
        try {
            return parser.parse(String.valueOf(s.value()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.source() + ": field '" + key + "' " + e.getMessage());
        }
    }

    private PluginConfig build() {
        String node = get("nodeName", defaultHostName(), v -> nonBlank(v));
        PluginConfig d = PluginConfig.defaults(node, PluginConfig.DEFAULT_KUBELET_DIR);
        Optional<Path> nodeSpec = get("nodeSpec", Optional.<Path>empty(), v -> Optional.of(Path.of(nonBlank(v))));
        Optional<Path> kubeconfig = get("kubeconfig", Optional.<Path>empty(), v -> Optional.of(Path.of(nonBlank(v))));
        Path kubeletDir = get("paths.kubeletDir", d.kubeletDir(), v -> Path.of(nonBlank(v)));
        int port = get("http.port", d.httpPort(), v -> ConfigValues.integer(v, 0, 65535));
        MigStrategy mig = get("migStrategy", d.migStrategy(), MigStrategy::parse);
        DeviceListStrategy list = get("deviceListStrategy", d.deviceListStrategy(), DeviceListStrategy::parse);
        DeviceIdStrategy ids = get("deviceIdStrategy", d.deviceIdStrategy(), DeviceIdStrategy::parse);

        SharingConfig sd = d.sharing();
        String strategy = get("sharing.strategy", sd.strategy(), v -> {
            if (!v.equals(GpuSharing.TIME_SLICING) && !v.equals(GpuSharing.MPS)) {
                throw new IllegalArgumentException("must be time-slicing or mps, got '" + v + "'");
            }
            return v;
        });
        int replicas = get("sharing.replicas", sd.replicas(), v -> ConfigValues.integer(v, 1, 1024));
        String resourceName = get("sharing.resourceName", sd.resourceName(), ConfigLoader::resourceName);
        boolean rename = get("sharing.renameByDefault", sd.renameByDefault(), ConfigValues::bool);
        SharedPolicy policy = get("sharing.policy", sd.policy(), SharedPolicy::parse);
        boolean failGt1 = get("sharing.failRequestsGreaterThanOne", strategy.equals(GpuSharing.MPS), ConfigValues::bool);
        Path mpsRoot = get("sharing.mpsRoot", sd.mpsRoot(), v -> Path.of(nonBlank(v)));
        Map<String, Integer> perProduct = replicaMap("sharing.perProduct", k -> nonBlank(k));
        Map<Integer, Integer> perIndex = replicaMap("sharing.perIndex", k -> ConfigValues.integer(k, 0, 1023));
        if (mig == MigStrategy.MIXED && strategy.equals(GpuSharing.MPS) && (replicas > 1 || !perProduct.isEmpty() || !perIndex.isEmpty())) {
            Setting s = settings.get("sharing.strategy");
            throw new ConfigException((s == null ? "settings" : s.source())
                    + ": field 'sharing.strategy' mps cannot be combined with migStrategy mixed (MPS shares whole GPUs only)");
        }
        SharingConfig sharing = new SharingConfig(strategy, replicas, perProduct, perIndex, resourceName, rename, policy, failGt1, mpsRoot);

        Set<Integer> ignored = ignoredXids();
        java.time.Duration quiet = get("health.quietPeriod", HealthConfig.DEFAULT_QUIET_PERIOD, ConfigValues::duration);
        Path cdi = get("paths.cdiDir", d.cdiDir(), v -> Path.of(nonBlank(v)));
        Path dev = get("paths.devRoot", d.devRoot(), v -> Path.of(nonBlank(v)));
        Path migMinors = get("paths.migMinors", d.migMinorsFile(), v -> Path.of(nonBlank(v)));
        java.time.Duration ttl = get("placement.decisionTtl", d.decisionTtl(), ConfigValues::duration);
        return new PluginConfig(node, nodeSpec, kubeletDir, kubeconfig, port, mig, sharing, list, ids, new HealthConfig(ignored, quiet),
                cdi, dev, migMinors, ttl);
    }

    private Set<Integer> ignoredXids() {
        Setting s = settings.get("health.ignoredXids");
        if (s == null) {
            return HealthConfig.DEFAULT_IGNORED_XIDS;
        }
        List<?> items = s.value() instanceof List<?> l ? l : List.of(String.valueOf(s.value()).split(","));
        Set<Integer> xids = new LinkedHashSet<>();
        for (Object item : items) {
            String text = String.valueOf(item).trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                xids.add(ConfigValues.integer(text, 1, 65535));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.source() + ": field 'health.ignoredXids' entry " + e.getMessage());
            }
        }
        return xids;
    }

    private <K> Map<K, Integer> replicaMap(String key, Parser<K> keyParser) {
        Setting s = settings.get(key);
        if (s == null) {
            return Map.of();
        }
        Map<K, Integer> out = new HashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) s.value()).entrySet()) {
            String field = key + "." + e.getKey();
            try {
                out.put(keyParser.parse(String.valueOf(e.getKey())), ConfigValues.integer(String.valueOf(e.getValue()), 1, 1024));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(s.source() + ": field '" + field + "' " + ex.getMessage());
            }
        }
        return out;
    }

    private static String nonBlank(String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return v.trim();
    }

    /** An extended resource name: {@code <domain>/<name>}, at most 63 characters after the slash. */
    static String resourceName(String v) {
        String t = nonBlank(v);
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1 || t.indexOf('/', slash + 1) >= 0 || !t.substring(0, slash).contains(".")) {
            throw new IllegalArgumentException("must be a domain-prefixed resource name such as nvidia.com/gpu.shared, got '" + v + "'");
        }
        if (t.length() - slash - 1 > 63 || !t.substring(slash + 1).matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("name part must be at most 63 letters, digits, '-', '_' or '.', got '" + v + "'");
        }
        return t;
    }

    private static String defaultHostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
