package dev.tangram.dra;

import dev.tangram.core.probe.GpuProbe;
import dev.tangram.dra.config.DriverConfig;
import dev.tangram.dra.kube.Fabric8EventRecorder;
import dev.tangram.dra.kube.KubeClients;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/** {@code bin/tangram dra-driver}: the DRA kubelet plugin for GPUs. */
@Command(name = "dra-driver", mixinStandardHelpOptions = true,
        description = "DRA kubelet plugin gpu.tangram.dev: ResourceSlices with partitionable MIG, prepare/unprepare, CDI.")
public final class DraDriverCommand implements Callable<Integer> {
    @Option(names = "--node-spec", paramLabel = "FILE", description = "node description for the simulated probe (default: NVML)")
    Path nodeSpec;

    @Option(names = "--kubelet-dir", paramLabel = "DIR", required = true, description = "the kubelet directory, e.g. /var/lib/kubelet")
    Path kubeletDir;

    @Option(names = "--cdi-dir", paramLabel = "DIR", defaultValue = "/var/run/cdi", description = "CDI spec directory (default: ${DEFAULT-VALUE})")
    Path cdiDir;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "checkpoint directory (default: <kubelet-dir>/plugins/gpu.tangram.dev)")
    Path stateDir;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig (default: in-cluster when in a pod, else no API)")
    Path kubeconfig;

    @Option(names = "--node-name", paramLabel = "NAME", description = "node name (default: $NODE_NAME, else the probe's)")
    String nodeName;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8082", description = "/metrics, /healthz, /readyz port; -1 = off (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--slice-shape", paramLabel = "auto|1.34|1.35", defaultValue = "auto",
            description = "ResourceSlice shape: counters beside devices (1.34) or apart (1.35+); auto asks the API server")
    String sliceShape;

    @Option(names = "--boot-id-file", paramLabel = "FILE", defaultValue = "/proc/sys/kernel/random/boot_id", hidden = true)
    Path bootIdFile;

    @Option(names = "--share-whole-gpus", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "publish whole GPUs as shareable by several claims through their memory capacity (default: true)")
    boolean shareWholeGpus;

    private final Function<Path, GpuProbe> simulatedProbe;

    public DraDriverCommand() {
        this(SimulatedGpuProbe::open);
    }

    /** For tests: how a --node-spec file becomes a probe. */
    public DraDriverCommand(Function<Path, GpuProbe> simulatedProbe) {
        this.simulatedProbe = simulatedProbe;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private java.io.PrintWriter err() {
        return spec != null ? spec.commandLine().getErr() : new java.io.PrintWriter(System.err, true);
    }

    /** Tells the cluster why the driver cannot start (an Event on the node), when an API is reachable; best effort. */
    private void reportToCluster(DriverConfig config, String reason, String message) {
        try {
            Optional<KubernetesClient> client = KubeClients.connect(config.kubeconfig());
            client.ifPresent(c -> {
                new Fabric8EventRecorder(c, config.driver(), config.nodeName().orElseGet(DraDriverCommand::hostName),
                        Clock.systemUTC()).warning(reason, message);
                c.close();
            });
        } catch (RuntimeException e) {
            err().println("dra-driver: cannot report to the cluster either: " + e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DraDriverCommand()).execute(args));
    }

    public DriverConfig config() {
        Optional<SliceShape> shape = "auto".equals(sliceShape) ? Optional.empty() : Optional.of(SliceShape.parse(sliceShape));
        String node = nodeName != null ? nodeName : System.getenv("NODE_NAME");
        return new DriverConfig(Optional.ofNullable(nodeSpec), kubeletDir, cdiDir,
                stateDir != null ? stateDir : DriverConfig.defaultStateDir(kubeletDir), Optional.ofNullable(kubeconfig),
                Optional.ofNullable(node).filter(n -> !n.isBlank()), httpPort, shape, bootIdFile, shareWholeGpus);
    }

    @Override
    public Integer call() throws InterruptedException {
        DriverConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err().println("dra-driver: " + e.getMessage());
            return 2;
        }
        GpuProbe probe;
        Optional<KubernetesClient> client;
        try {
            probe = config.nodeSpec().isPresent() ? simulatedProbe.apply(config.nodeSpec().get())
                    : NvmlGpuProbe.open(config.nodeName().orElseGet(DraDriverCommand::hostName));
        } catch (ProbeException e) {
            String message = "cannot start: GPU probe failed (" + e.kind() + "): " + e.getMessage();
            err().println("dra-driver: " + message);
            reportToCluster(config, "GpuProbeFailed", message);
            return 2;
        } catch (RuntimeException e) {
            err().println("dra-driver: cannot start: " + e.getMessage());
            return 2;
        }
        try {
            client = KubeClients.connect(config.kubeconfig());
        } catch (RuntimeException e) {
            err().println("dra-driver: cannot start: " + e.getMessage());
            probe.close();
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        DraDriver driver;
        try {
            driver = DraDriver.start(config, probe, client, Clock.systemUTC());
        } catch (RuntimeException e) {
            err().println("dra-driver: cannot start: " + e.getMessage());
            probe.close();
            client.ifPresent(KubernetesClient::close);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            driver.close();
            probe.close();
            client.ifPresent(KubernetesClient::close);
            stop.countDown();
        }, "dra-driver-shutdown"));
        driver.httpPort().ifPresent(p -> err().println("dra-driver: operations on http://localhost:" + p));
        err().flush();
        stop.await();
        return 0;
    }
}
