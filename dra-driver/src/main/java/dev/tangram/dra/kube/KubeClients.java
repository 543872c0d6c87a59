package dev.tangram.dra.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Builds the Kubernetes client: from a kubeconfig file, in-cluster, or none (the driver then runs without an API). */
public final class KubeClients {
    private KubeClients() {
    }

    /** A client from {@code kubeconfig} when given, else in-cluster when the pod environment says so, else empty. */
    public static Optional<KubernetesClient> connect(Optional<Path> kubeconfig) {
        Config config;
        if (kubeconfig.isPresent()) {
            try {
                config = Config.fromKubeconfig(null, Files.readString(kubeconfig.get()), kubeconfig.get().toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --kubeconfig " + kubeconfig.get() + ": " + e.getMessage(), e);
            }
        } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            config = new io.fabric8.kubernetes.client.ConfigBuilder().build();
        } else {
            return Optional.empty();
        }
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(10_000);
        config.setRequestRetryBackoffLimit(1);
        return Optional.of(new KubernetesClientBuilder().withConfig(config).build());
    }
}
