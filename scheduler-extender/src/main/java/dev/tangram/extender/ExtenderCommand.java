package dev.tangram.extender;

import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.config.ExtenderConfigLoader;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bin/tangram extender}: the kube-scheduler extender. */
@CommandLine.Command(name = "extender", mixinStandardHelpOptions = true,
        description = "Serve kube-scheduler's extender verbs (filter, prioritize, bind, preempt) for Tangram GPUs.")
public final class ExtenderCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--port", description = "port to listen on (overrides http.port; default 8888)")
    Integer port;

    @CommandLine.Option(names = "--kubeconfig", description = "kubeconfig file; default: in-cluster, or $KUBECONFIG; none: no API")
    Path kubeconfig;

    @CommandLine.Option(names = "--config", description = "YAML config file (docs/scheduler-extender.md lists the keys)")
    Path config;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExtenderCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ExtenderConfig cfg;
        try {
            cfg = config == null ? ExtenderConfig.defaults() : ExtenderConfigLoader.load(config);
        } catch (ExtenderConfigLoader.ConfigException e) {
            System.err.println("tangram extender: " + e.getMessage());
            return 2;
        }
        if (port != null) {
            if (port < 0 || port > 65535) {
                System.err.println("tangram extender: --port must be 0..65535, got " + port);
                return 2;
            }
            cfg = cfg.withPort(port);
        }
        Optional<KubernetesClient> client = client();
        String hostname = System.getenv().getOrDefault("HOSTNAME", "extender");
        String identity = hostname + "_" + UUID.randomUUID().toString().substring(0, 8);
        try (ExtenderApp app = ExtenderApp.start(cfg, client, Clock.systemUTC(), identity, hostname)) {
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        } catch (IllegalArgumentException e) {
            System.err.println("tangram extender: " + e.getMessage());
            return 2;
        } finally {
            client.ifPresent(KubernetesClient::close);
        }
        return 0;
    }

    /** Bind must answer within kube-scheduler's httpTimeout: one retry, 5 s per request. */
    private static Config bounded(Config c) {
        c.setRequestRetryBackoffLimit(1);
        c.setRequestTimeout(5_000);
        c.setConnectionTimeout(3_000);
        return c;
    }

    private Optional<KubernetesClient> client() throws java.io.IOException {
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--kubeconfig " + kubeconfig + " is not a readable file");
            }
            return Optional.of(new KubernetesClientBuilder().withConfig(bounded(Config.fromKubeconfig(Files.readString(kubeconfig)))).build());
        }
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null || System.getenv("KUBECONFIG") != null) {
            return Optional.of(new KubernetesClientBuilder().withConfig(bounded(Config.autoConfigure(null))).build());
        }
        return Optional.empty();
    }
}
