package dev.tangram.manifests;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The Tangram chart, rendered by Helm itself (helm-java: Helm's Go code as a native library). */
public final class Chart {
    public static final Path ROOT = locate();
    public static final Path CHART = ROOT.resolve("manifests/charts/tangram");
    public static final Path STATIC = ROOT.resolve("manifests/static");
    public static final String RELEASE = "tangram";
    public static final String NAMESPACE = "tangram-system";
    /** The Kubernetes version rendered for (resource.k8s.io/v1 needs 1.34). */
    public static final String KUBE_VERSION = "v1.34.1";

    private Chart() {
    }

    /** {@code helm template tangram manifests/charts/tangram -n tangram-system --kube-version v1.34.1 --set k=v ...}. */
    public static String render(Map<String, Object> values) {
        var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        new TreeMap<>(values).forEach(template::set);
        return template.call();
    }

    public static String renderDefaults() {
        return render(Map.of());
    }

    /** {@code helm lint --strict}. */
    public static LintResult lint() {
        return new Helm(CHART).lint().strict().call();
    }

    /** The repository root, whether tests run from it or from the module directory. */
    private static Path locate() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("manifests/charts/tangram"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("manifests/charts/tangram not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
