package dev.tangram.dra.config;

import dev.tangram.core.names.TangramNames;
import dev.tangram.dra.slice.SliceShape;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The driver's settings, validated.
 *
 * @param nodeSpec       a node description for the simulated probe; empty = NVML
 * @param kubeletDir     the kubelet's directory ({@code /var/lib/kubelet})
 * @param cdiDir         where CDI specs go ({@code /var/run/cdi})
 * @param stateDir       where the checkpoint lives
 * @param kubeconfig     a kubeconfig file; empty = in-cluster when in a pod, else no API
 * @param nodeName       the node (and pool) name; empty = the probe's node name
 * @param httpPort       port of /metrics, /healthz, /readyz; 0 = any free port, -1 = off
 * @param sliceShape     forced slice shape; empty = from the API server's version
 * @param bootIdFile     where the node's boot ID is read
 * @param shareWholeGpus publish whole GPUs as shareable through their memory capacity
 */
public record DriverConfig(Optional<Path> nodeSpec, Path kubeletDir, Path cdiDir, Path stateDir, Optional<Path> kubeconfig,
                           Optional<String> nodeName, int httpPort, Optional<SliceShape> sliceShape, Path bootIdFile,
                           boolean shareWholeGpus) {
    public DriverConfig {
        Objects.requireNonNull(kubeletDir, "--kubelet-dir is required");
        Objects.requireNonNull(cdiDir, "cdiDir");
        Objects.requireNonNull(stateDir, "stateDir");
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("--http-port must be -1 (off), 0 (any) or 1-65535, got " + httpPort);
        }
        nodeName.ifPresent(n -> {
            if (!n.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
                throw new IllegalArgumentException("--node-name must be a DNS subdomain, got '" + n + "'");
            }
        });
    }

    public String driver() {
        return TangramNames.DRA_DRIVER;
    }

    /** {@code <kubelet-dir>/plugins_registry/gpu.tangram.dev-reg.sock}. */
    public Path registrationSocket() {
        return kubeletDir.resolve("plugins_registry").resolve(driver() + "-reg.sock");
    }

    /** {@code <kubelet-dir>/plugins/gpu.tangram.dev/dra.sock}. */
    public Path draSocket() {
        return kubeletDir.resolve("plugins").resolve(driver()).resolve("dra.sock");
    }

    /** The default state directory: beside the DRA socket. */
    public static Path defaultStateDir(Path kubeletDir) {
        return kubeletDir.resolve("plugins").resolve(TangramNames.DRA_DRIVER);
    }
}
