package dev.tangram.core.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed access to a parsed JSON object; every error names the field's path, e.g. {@code inventory.gpus[2].uuid}. */
public final class JsonObject {
    private final Map<String, Object> fields;
    private final String path;

    JsonObject(Map<String, Object> fields, String path) {
        this.fields = fields;
        this.path = path;
    }

    public String path() {
        return path;
    }

    public boolean has(String key) {
        return fields.containsKey(key) && fields.get(key) != null;
    }

    private Object required(String key) {
        Object v = fields.get(key);
        if (v == null) {
            throw new JsonException(path + "." + key + " is missing");
        }
        return v;
    }

    public String string(String key) {
        Object v = required(key);
        if (!(v instanceof String s)) {
            throw new JsonException(path + "." + key + " must be a string");
        }
        return s;
    }

    public Optional<String> optString(String key) {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    public long integer(String key) {
        Object v = required(key);
        if (!(v instanceof Long l)) {
            throw new JsonException(path + "." + key + " must be an integer");
        }
        return l;
    }

    public long integer(String key, long fallback) {
        return has(key) ? integer(key) : fallback;
    }

    public int int32(String key) {
        long v = integer(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new JsonException(path + "." + key + " is out of range");
        }
        return (int) v;
    }

    public int int32(String key, int fallback) {
        return has(key) ? int32(key) : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        if (!(fields.get(key) instanceof Boolean b)) {
            throw new JsonException(path + "." + key + " must be true or false");
        }
        return b;
    }

    public JsonObject object(String key) {
        Object v = required(key);
        if (!(v instanceof Map<?, ?>)) {
            throw new JsonException(path + "." + key + " must be an object");
        }
        return new JsonObject(Json.cast(v), path + "." + key);
    }

    public Optional<JsonObject> optObject(String key) {
        return has(key) ? Optional.of(object(key)) : Optional.empty();
    }

    /** The elements of an array of objects; absent means empty. */
    public List<JsonObject> objects(String key) {
        List<JsonObject> out = new ArrayList<>();
        List<Object> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Map<?, ?>)) {
                throw new JsonException(path + "." + key + "[" + i + "] must be an object");
            }
            out.add(new JsonObject(Json.cast(items.get(i)), path + "." + key + "[" + i + "]"));
        }
        return out;
    }

    /** The elements of an array of strings; absent means empty. */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        List<Object> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw new JsonException(path + "." + key + "[" + i + "] must be a string");
            }
            out.add(s);
        }
        return out;
    }

    private List<Object> list(String key) {
        if (!has(key)) {
            return List.of();
        }
        Object v = fields.get(key);
        if (!(v instanceof List<?> l)) {
            throw new JsonException(path + "." + key + " must be an array");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) l;
        return list;
    }
}
