package dev.tangram.inference.config;

import dev.tangram.inference.http.ReasoningFormat;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.WindowCache;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The server's configuration file (YAML, {@code version: 1}). Every field is optional; unknown fields and wrong types
 * stop startup with the field's path and the reason.
 *
 * <pre>
 * version: 1
 * server:    { host: 0.0.0.0, port: 8000, drainSeconds: 25 }  # on SIGTERM: finish requests in flight, up to this long
 * model:     { name: "", maxModelLen: 0, reasoningFormat: auto }  # 0 = the model's context length
 *            # reasoningFormat: auto (a reasoning model's reasoning goes into reasoning_content) or none (left in the content)
 * memory:    { utilisation: 0.9, cpuBudgetMib: 4096 }
 * kvCache:   { blockSize: 16, type: f16, slidingWindow: window }
 *            # type: f16 (keys and values stored as IEEE halves: twice the tokens in the same memory), f32 (as computed) or
 *            # q8_0 (bytes with a half scale per 32); slidingWindow: window (sliding-window layers keep only what their
 *            # windows reach, in a pool of their own) or full (every layer keeps every position)
 * scheduler: { maxBatchTokens: 512, maxRunning: 16, maxWaiting: 64 }
 * engine:    { readAhead: auto, weightLayout: auto, q4Activations: int8 }
 *            # readAhead: auto (timed at load), off, or bytes ahead (a multiple of 64); weightLayout: auto, lanes (Q8_0/Q4_0/
 *            # K-quants rearranged at load) or rows; q4Activations: int8 (Q4_0 and K-quant lanes round their input to 8 bits) or float
 * </pre>
 */
public record ServerConfig(String host, int port, String modelName, int maxModelLen, double utilisation, long cpuBudgetMib,
                           int blockSize, int maxBatchTokens, int maxRunning, int maxWaiting, ReadAheadSetting readAhead,
                           WeightLayout weightLayout, Q4Activations q4Activations, int drainSeconds, ReasoningFormat reasoningFormat,
                           KvCacheType kvCacheType, WindowCache windowCache) {
    public static final int VERSION = 1;
    public static final ServerConfig DEFAULTS = new ServerConfig("0.0.0.0", 8000, "", 0, 0.9, 4096, 16, 512, 16, 64,
            ReadAheadSetting.AUTO, WeightLayout.AUTO, Q4Activations.INT8, 25, ReasoningFormat.AUTO, KvCacheType.F16,
            WindowCache.WINDOW);

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "server", Set.of("host", "port", "drainSeconds"),
            "model", Set.of("name", "maxModelLen", "reasoningFormat"),
            "memory", Set.of("utilisation", "cpuBudgetMib"),
            "kvCache", Set.of("blockSize", "type", "slidingWindow"),
            "scheduler", Set.of("maxBatchTokens", "maxRunning", "maxWaiting"),
            "engine", Set.of("readAhead", "weightLayout", "q4Activations"));

    public static ServerConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static ServerConfig parse(String yaml) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null) {
            throw new ConfigException("the file is empty; it needs at least 'version: " + VERSION + "'");
        }
        Map<String, Object> top = section(root, "the top level");
        Object version = top.get("version");
        if (version == null) {
            throw new ConfigException("version: missing; this server reads version " + VERSION);
        }
        if (!(version instanceof Integer v) || v != VERSION) {
            throw new ConfigException("version: " + version + " is not supported; this server reads version " + VERSION);
        }
        for (String key : top.keySet()) {
            if (!key.equals("version") && !FIELDS.containsKey(key)) {
                throw new ConfigException(key + ": unknown section; known: version, " + String.join(", ", FIELDS.keySet().stream().sorted().toList()));
            }
        }
        Map<String, Map<String, Object>> s = new LinkedHashMap<>();
        for (var e : FIELDS.entrySet()) {
            Map<String, Object> sec = top.containsKey(e.getKey()) ? section(top.get(e.getKey()), e.getKey()) : Map.of();
            for (String k : sec.keySet()) {
                if (!e.getValue().contains(k)) {
                    throw new ConfigException(e.getKey() + "." + k + ": unknown field; known: "
                            + String.join(", ", e.getValue().stream().sorted().toList()));
                }
            }
            s.put(e.getKey(), sec);
        }
        ServerConfig d = DEFAULTS;
        ServerConfig c = new ServerConfig(
                string(s, "server", "host", d.host()),
                (int) integer(s, "server", "port", d.port(), 0, 65535),
                string(s, "model", "name", d.modelName()),
                (int) integer(s, "model", "maxModelLen", d.maxModelLen(), 0, Integer.MAX_VALUE),
                number(s, "memory", "utilisation", d.utilisation()),
                integer(s, "memory", "cpuBudgetMib", d.cpuBudgetMib(), 1, Long.MAX_VALUE / (1024 * 1024)),
                (int) integer(s, "kvCache", "blockSize", d.blockSize(), 1, 1024),
                (int) integer(s, "scheduler", "maxBatchTokens", d.maxBatchTokens(), 1, 1 << 20),
                (int) integer(s, "scheduler", "maxRunning", d.maxRunning(), 1, 4096),
                (int) integer(s, "scheduler", "maxWaiting", d.maxWaiting(), 0, 1 << 20),
                readAhead(s.get("engine").get("readAhead"), d.readAhead()),
                choice(s.get("engine").get("weightLayout"), d.weightLayout(), "engine.weightLayout", "auto, lanes or rows",
                        WeightLayout::parse),
                choice(s.get("engine").get("q4Activations"), d.q4Activations(), "engine.q4Activations", "int8 or float",
                        Q4Activations::parse),
                (int) integer(s, "server", "drainSeconds", d.drainSeconds(), 0, 3600),
                choice(s.get("model").get("reasoningFormat"), d.reasoningFormat(), "model.reasoningFormat", "auto, deepseek or none",
                        ReasoningFormat::parse),
                choice(s.get("kvCache").get("type"), d.kvCacheType(), "kvCache.type", KvCacheType.words(), KvCacheType::parse),
                choice(s.get("kvCache").get("slidingWindow"), d.windowCache(), "kvCache.slidingWindow", WindowCache.words(), WindowCache::parse));
        if (!(c.utilisation() > 0 && c.utilisation() <= 1)) {
            throw new ConfigException("memory.utilisation: must be in (0, 1], got " + c.utilisation());
        }
        return c;
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, modelName, maxModelLen, utilisation, cpuBudgetMib, blockSize, maxBatchTokens, maxRunning,
                maxWaiting, readAhead, weightLayout, q4Activations, drainSeconds, reasoningFormat, kvCacheType, windowCache);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new ConfigException(where + ": expected a mapping, got " + describe(o));
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new ConfigException(where + ": keys must be strings, got " + k);
            }
        }
        return (Map<String, Object>) m;
    }

    private static String string(Map<String, Map<String, Object>> s, String sec, String key, String dflt) {
        Object v = s.get(sec).get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String str)) {
            throw new ConfigException(sec + "." + key + ": expected a string, got " + describe(v));
        }
        return str;
    }

    private static long integer(Map<String, Map<String, Object>> s, String sec, String key, long dflt, long min, long max) {
        Object v = s.get(sec).get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long)) {
            throw new ConfigException(sec + "." + key + ": expected a whole number, got " + describe(v));
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            throw new ConfigException(sec + "." + key + ": must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private static double number(Map<String, Map<String, Object>> s, String sec, String key, double dflt) {
        Object v = s.get(sec).get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n) || v instanceof java.math.BigInteger) {
            throw new ConfigException(sec + "." + key + ": expected a number, got " + describe(v));
        }
        return n.doubleValue();
    }

    /** {@code engine.readAhead}: auto, off (YAML also reads a bare {@code off} as false), or a whole number of bytes. */
    private static ReadAheadSetting readAhead(Object v, ReadAheadSetting dflt) {
        if (v == null) {
            return dflt;
        }
        try {
            if (Boolean.FALSE.equals(v)) {
                return ReadAheadSetting.OFF;
            }
            if (v instanceof Integer || v instanceof Long) {
                return new ReadAheadSetting(false, ((Number) v).longValue());
            }
            if (v instanceof String str) {
                return ReadAheadSetting.parse(str);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("engine.readAhead: " + e.getMessage());
        }
        throw new ConfigException("engine.readAhead: expected auto, off or a number of bytes, got " + describe(v));
    }

    /**
     * One of a setting's words ({@code engine.weightLayout}, {@code engine.q4Activations}, {@code model.reasoningFormat},
     * {@code kvCache.type}, {@code kvCache.slidingWindow}), {@code parse} turning the word into the setting or refusing it with the reason.
     */
    private static <T> T choice(Object v, T dflt, String key, String expected, Function<String, T> parse) {
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String str)) {
            throw new ConfigException(key + ": expected " + expected + ", got " + describe(v));
        }
        try {
            return parse.apply(str);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static String describe(Object v) {
        return v instanceof String str ? "'" + str + "'" : v + " (" + (v == null ? "null" : v.getClass().getSimpleName().toLowerCase()) + ")";
    }
}
