package dev.tangram.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The objects of one rendering, looked up by kind and name. */
public record Rendered(List<HasMetadata> objects) {

    /** The objects of a plain manifest file under the repository root. */
    public static Rendered ofFile(String path) {
        try {
            return new Rendered(StrictYaml.load(java.nio.file.Files.readString(Chart.ROOT.resolve(path)), path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Rendered of(Map<String, Object> values) {
        return new Rendered(StrictYaml.load(Chart.render(values), "helm template " + values));
    }

    public <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    public <T extends HasMetadata> T one(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + kind.getSimpleName() + " " + name + " in the rendering"));
    }

    public DaemonSet daemonSet(String name) {
        return one(DaemonSet.class, name);
    }

    public Deployment deployment(String name) {
        return one(Deployment.class, name);
    }

    /**
     * The extender's rendered config file, read by the extender's own loader. The TLS files it names are mounted from a
     * Secret in the pod; here they are empty files in a temporary directory (the loader checks they are readable).
     */
    public dev.tangram.extender.config.ExtenderConfig extenderConfig() {
        return extenderConfig("tangram-scheduler");
    }

    /** The extender config file of the named ConfigMap, read by the extender's loader (TLS files as above). */
    public dev.tangram.extender.config.ExtenderConfig extenderConfig(String configMap) {
        String yaml = configFile(configMap, "extender.yaml");
        try {
            java.nio.file.Path tls = java.nio.file.Files.createTempDirectory("tangram-tls");
            for (String f : List.of("ca.crt", "tls.crt", "tls.key")) {
                java.nio.file.Files.writeString(tls.resolve(f), "");
                tls.resolve(f).toFile().deleteOnExit();
            }
            tls.toFile().deleteOnExit();
            return dev.tangram.extender.config.ExtenderConfigLoader.parse(yaml.replace("/etc/tangram/tls/", tls + "/"), "rendered extender.yaml");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String configFile(String configMap, String key) {
        String v = one(ConfigMap.class, configMap).getData().get(key);
        if (v == null) {
            throw new NoSuchElementException("ConfigMap " + configMap + " has no key " + key);
        }
        return v;
    }
}
