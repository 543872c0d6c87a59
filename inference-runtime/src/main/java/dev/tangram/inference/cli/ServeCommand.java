package dev.tangram.inference.cli;

import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.inference.config.ConfigException;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.server.InferenceServer;
import dev.tangram.inference.server.StartupRefusedException;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.sim.NodeSpecException;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code tangram serve}: the OpenAI-compatible inference server. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves a GGUF model over an OpenAI-compatible HTTP API, sizing its KV cache from the pod's allocation.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the GGUF model file") Path model;
    @Option(names = "--port", description = "HTTP port (overrides server.port of the config; default 8000)") Integer port;
    @Option(names = "--config", description = "YAML config file (version: 1)") Path config;
    @Option(names = "--node-spec", description = "read the GPUs from this node description (simulated probe) instead of NVML")
    Path nodeSpec;

    @Override
    public Integer call() throws Exception {
        ServerConfig cfg;
        try {
            cfg = config == null ? ServerConfig.DEFAULTS : ServerConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("tangram serve: bad config: " + e.getMessage());
            return 2;
        }
        if (port != null) {
            cfg = cfg.withPort(port);
        }
        if (!Files.isRegularFile(model)) {
            System.err.println("tangram serve: --model " + model + " is not a file");
            return 2;
        }
        InferenceServer server;
        Optional<GpuProbe> probe;
        try {
            probe = openProbe();
        } catch (NodeSpecException | ProbeException e) {
            System.err.println("tangram serve: --node-spec " + nodeSpec + ": " + e.getMessage());
            return 2;
        }
        try {
            server = InferenceServer.start(model, cfg, System.getenv(), probe);
        } catch (StartupRefusedException e) {
            System.err.println("tangram serve: refusing to start: " + e.getMessage());
            return 1;
        } catch (OutOfMemoryError e) {
            System.err.println("tangram serve: the JVM heap ran out while starting (" + e.getMessage() + "): give it more heap "
                    + "(TANGRAM_JAVA_OPTS=-Xmx...) or lower memory.utilisation");
            return 1;
        } finally {
            probe.ifPresent(GpuProbe::close);
        }
        CountDownLatch stop = new CountDownLatch(1);
        java.time.Duration drain = java.time.Duration.ofSeconds(cfg.drainSeconds());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.drainAndClose(drain);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stop.countDown();
            }
        }));
        stop.await();
        return 0;
    }

    /** The simulated probe for --node-spec; else NVML when its library loads; else none (no GPU here). */
    private Optional<GpuProbe> openProbe() {
        if (nodeSpec != null) {
            return Optional.of(SimulatedGpuProbe.open(nodeSpec));
        }
        try {
            String node = System.getenv("NODE_NAME");
            return Optional.of(NvmlGpuProbe.open(node == null || node.isBlank() ? "localhost" : node));
        } catch (ProbeException e) {
            LoggerFactory.getLogger(ServeCommand.class).info("no NVML ({}): {}", e.kind(), e.getMessage());
            return Optional.empty();
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
