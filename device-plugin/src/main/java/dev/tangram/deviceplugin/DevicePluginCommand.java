package dev.tangram.deviceplugin;

import dev.tangram.core.probe.GpuProbe;
import dev.tangram.deviceplugin.config.ConfigException;
import dev.tangram.deviceplugin.config.ConfigLoader;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bin/tangram device-plugin}: the kubelet device plugin daemon. */
@Command(name = "tangram device-plugin", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Offers whole GPUs, MIG devices and shared replicas to the kubelet, with health, node labels, inventory and metrics.")
public final class DevicePluginCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePluginCommand.class);

    @Option(names = "--node-spec", paramLabel = "FILE", description = "Simulate the GPUs of a node description (examples/nodes/*.yaml) instead of NVML.")
    Path nodeSpec;
    @Option(names = "--kubelet-dir", paramLabel = "DIR", description = "The kubelet's device-plugin directory (default /var/lib/kubelet/device-plugins).")
    Path kubeletDir;
    @Option(names = "--config", paramLabel = "FILE", description = "The versioned YAML config file.")
    Path configFile;
    @Option(names = "--mig-strategy", paramLabel = "none|single|mixed", description = "How MIG devices are offered (default none).")
    String migStrategy;
    @Option(names = "--time-slicing-replicas", paramLabel = "N", description = "Replicas of every whole GPU (default 1: not shared).")
    String replicas;
    @Option(names = "--device-list-strategy", paramLabel = "envvar|volume-mounts|cdi", description = "How containers learn their devices (default volume-mounts).")
    String deviceListStrategy;
    @Option(names = "--device-id-strategy", paramLabel = "uuid|index", description = "UUIDs or indices in NVIDIA_VISIBLE_DEVICES (default uuid).")
    String deviceIdStrategy;
    @Option(names = "--cdi-dir", paramLabel = "DIR", description = "Where the CDI spec is written (default /var/run/cdi).")
    String cdiDir;
    @Option(names = "--http-port", paramLabel = "N", description = "Port of /metrics, /healthz, /readyz (default 9445; 0 = any free port).")
    String httpPort;
    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name (default $NODE_NAME, then the host name).")
    String nodeName;
    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig for node publishing (default: in-cluster or $KUBECONFIG; none = publishing off).")
    Path kubeconfig;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DevicePluginCommand()).execute(args));
    }

    Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        put(f, "nodeSpec", nodeSpec);
        put(f, "paths.kubeletDir", kubeletDir);
        put(f, "migStrategy", migStrategy);
        put(f, "sharing.replicas", replicas);
        put(f, "deviceListStrategy", deviceListStrategy);
        put(f, "deviceIdStrategy", deviceIdStrategy);
        put(f, "paths.cdiDir", cdiDir);
        put(f, "http.port", httpPort);
        put(f, "nodeName", nodeName);
        put(f, "kubeconfig", kubeconfig);
        return f;
    }

    private static void put(Map<String, String> f, String key, Object value) {
        if (value != null) {
            f.put(key, value.toString());
        }
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        PluginConfig config;
        try {
            config = ConfigLoader.load(Optional.ofNullable(configFile), System.getenv(), flags());
        } catch (ConfigException e) {
            System.err.println("tangram device-plugin: " + e.getMessage());
            return 2;
        }
        if (!Files.isDirectory(config.kubeletDir())) {
            System.err.println("tangram device-plugin: kubelet directory " + config.kubeletDir() + " does not exist (--kubelet-dir)");
            return 2;
        }
        GpuProbe probe;
        try {
            probe = openProbe(config);
        } catch (RuntimeException e) {
            System.err.println("tangram device-plugin: " + e.getMessage());
            return 1;
        }
        Optional<KubernetesClient> kube = kubernetes(config);
        DevicePluginDaemon daemon;
        try {
            daemon = new DevicePluginDaemon(config, probe, Clock.systemUTC(), kube);
        } catch (ResourcePlanner.PlanException e) {
            System.err.println("tangram device-plugin: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            kube.ifPresent(KubernetesClient::close);
            probe.close();
            stop.countDown();
        }, "tangram-shutdown"));
        daemon.supervisor().onRegistered(() -> {
            if (daemon.supervisor().allRegistered()) {
                LOG.info("every resource registered {} ms after start", (System.nanoTime() - started) / 1_000_000);
            }
        });
        daemon.start();
        stop.await();
        return 0;
    }

    static GpuProbe openProbe(PluginConfig config) {
        if (config.nodeSpec().isPresent()) {
            return SimulatedGpuProbe.open(config.nodeSpec().get());
        }
        return NvmlGpuProbe.open(config.nodeName());
    }

    static Optional<KubernetesClient> kubernetes(PluginConfig config) {
        try {
            if (config.kubeconfig().isPresent()) {
                Config c = Config.fromKubeconfig(Files.readString(config.kubeconfig().get()));
                return Optional.of(new KubernetesClientBuilder().withConfig(c).build());
            }
            boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
            String env = System.getenv("KUBECONFIG");
            if (inCluster || (env != null && !env.isBlank())) {
                return Optional.of(new KubernetesClientBuilder().build());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Kubernetes API not usable ({}): node publishing is off", e.getMessage());
        }
        return Optional.empty();
    }
}
