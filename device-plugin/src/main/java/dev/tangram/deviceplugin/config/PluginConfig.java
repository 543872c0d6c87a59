package dev.tangram.deviceplugin.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the device plugin is told, after flags, environment and file have been merged (flags win, then environment,
 * then the file, then the defaults).
 *
 * @param nodeName           this node's name (labels, inventory, the pods whose decisions count)
 * @param nodeSpec           a node description for the simulated probe; empty means NVML
 * @param kubeletDir         the kubelet's device-plugin directory (kubelet.sock and the plugin sockets)
 * @param kubeconfig         an explicit kubeconfig; empty means in-cluster or {@code KUBECONFIG}
 * @param httpPort           port of /metrics, /healthz, /readyz (0 = any free port)
 * @param migStrategy        none, single or mixed
 * @param sharing            replicas and how they are placed
 * @param deviceListStrategy envvar, volume-mounts or cdi
 * @param deviceIdStrategy   uuid or index
 * @param health             Xid policy and quiet period
 * @param cdiDir             where the CDI spec file is written
 * @param devRoot            host directory of the device nodes ({@code /dev})
 * @param migMinorsFile      the driver's table of MIG capability minors
 * @param decisionTtl        age after which an unconsumed extender decision is ignored
 */
public record PluginConfig(String nodeName, Optional<Path> nodeSpec, Path kubeletDir, Optional<Path> kubeconfig, int httpPort,
                           MigStrategy migStrategy, SharingConfig sharing, DeviceListStrategy deviceListStrategy,
                           DeviceIdStrategy deviceIdStrategy, HealthConfig health, Path cdiDir, Path devRoot, Path migMinorsFile,
                           Duration decisionTtl) {
    public static final Path DEFAULT_KUBELET_DIR = Path.of("/var/lib/kubelet/device-plugins");
    public static final Path DEFAULT_CDI_DIR = Path.of("/var/run/cdi");
    public static final Path DEFAULT_MIG_MINORS = Path.of("/proc/driver/nvidia-caps/mig-minors");
    public static final Duration DEFAULT_DECISION_TTL = Duration.ofMinutes(5);
    public static final int DEFAULT_HTTP_PORT = 9445;

    public PluginConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(nodeSpec, "nodeSpec");
        Objects.requireNonNull(kubeletDir, "kubeletDir");
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        Objects.requireNonNull(migStrategy, "migStrategy");
        Objects.requireNonNull(sharing, "sharing");
        Objects.requireNonNull(deviceListStrategy, "deviceListStrategy");
        Objects.requireNonNull(deviceIdStrategy, "deviceIdStrategy");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(cdiDir, "cdiDir");
        Objects.requireNonNull(devRoot, "devRoot");
        Objects.requireNonNull(migMinorsFile, "migMinorsFile");
        Objects.requireNonNull(decisionTtl, "decisionTtl");
    }

    /** The defaults, for a node and kubelet directory (tests and the loader start here). */
    public static PluginConfig defaults(String nodeName, Path kubeletDir) {
        return new PluginConfig(nodeName, Optional.empty(), kubeletDir, Optional.empty(), DEFAULT_HTTP_PORT, MigStrategy.NONE,
                SharingConfig.none(), DeviceListStrategy.VOLUME_MOUNTS, DeviceIdStrategy.UUID, HealthConfig.defaults(),
                DEFAULT_CDI_DIR, Path.of("/dev"), DEFAULT_MIG_MINORS, DEFAULT_DECISION_TTL);
    }

    public PluginConfig withMigStrategy(MigStrategy s) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, httpPort, s, sharing, deviceListStrategy, deviceIdStrategy,
                health, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }

    public PluginConfig withSharing(SharingConfig s) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, httpPort, migStrategy, s, deviceListStrategy, deviceIdStrategy,
                health, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }

    public PluginConfig withDeviceList(DeviceListStrategy s, DeviceIdStrategy ids) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, httpPort, migStrategy, sharing, s, ids,
                health, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }

    public PluginConfig withHealth(HealthConfig h) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, httpPort, migStrategy, sharing, deviceListStrategy, deviceIdStrategy,
                h, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }

    public PluginConfig withPaths(Path cdi, Path dev, Path migMinors) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, httpPort, migStrategy, sharing, deviceListStrategy, deviceIdStrategy,
                health, cdi, dev, migMinors, decisionTtl);
    }

    public PluginConfig withHttpPort(int port) {
        return new PluginConfig(nodeName, nodeSpec, kubeletDir, kubeconfig, port, migStrategy, sharing, deviceListStrategy, deviceIdStrategy,
                health, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }

    public PluginConfig withNodeSpec(Optional<Path> spec) {
        return new PluginConfig(nodeName, spec, kubeletDir, kubeconfig, httpPort, migStrategy, sharing, deviceListStrategy, deviceIdStrategy,
                health, cdiDir, devRoot, migMinorsFile, decisionTtl);
    }
}
