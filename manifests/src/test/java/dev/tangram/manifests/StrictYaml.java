package dev.tangram.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads Kubernetes YAML into fabric8's typed models and refuses what those models do not know: a kind with no model
 * (fabric8 falls back to {@link GenericKubernetesResource}) or a field with no property. fabric8's models keep unknown fields
 * in {@code additionalProperties} (a Jackson any-setter) instead of failing, so besides FAIL_ON_UNKNOWN_PROPERTIES the reader
 * walks every model object and refuses any non-empty {@code additionalProperties}, naming its path.
 */
public final class StrictYaml {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true), true);
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private StrictYaml() {
    }

    /** A document that is not a typed Kubernetes object, or has fields its model does not know. */
    public static final class StrictnessException extends RuntimeException {
        StrictnessException(String message) {
            super(message);
        }
    }

    /** Every object of a multi-document YAML text; {@code source} names it in errors. */
    public static List<HasMetadata> load(String yaml, String source) {
        List<HasMetadata> out = new ArrayList<>();
        int i = 0;
        for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
            i++;
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(doc);
            String where = source + " document " + i;
            if (!(parsed instanceof HasMetadata object)) {
                throw new StrictnessException(where + ": not a Kubernetes object (" + (parsed == null ? "empty" : parsed.getClass().getSimpleName()) + ")");
            }
            if (object instanceof GenericKubernetesResource g) {
                throw new StrictnessException(where + ": unknown kind " + g.getApiVersion() + "/" + g.getKind() + " (no typed model)");
            }
            List<String> unknown = new ArrayList<>();
            walk(object, object.getKind(), unknown);
            if (!unknown.isEmpty()) {
                throw new StrictnessException(where + " (" + object.getKind() + " " + object.getMetadata().getName() + "): unknown fields " + unknown);
            }
            out.add(object);
        }
        return out;
    }

    public static String json(Object o) {
        return SERIALIZATION.asJson(o);
    }

    private static void walk(Object o, String path, List<String> unknown) {
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "[" + k + "]", unknown));
            return;
        }
        if (!(o instanceof KubernetesResource)) {
            return; // strings, numbers, quantities' text, free-form maps of opaque parameters
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            if (value != null && !(path.endsWith(".opaque") && field.equals("parameters"))) {
                // a DRA opaque config is the driver's own schema (ExamplesTest reads it with the driver's parser)
                walk(value, path + "." + field, unknown);
            }
        }
    }
}
