package dev.tangram.inference.cli;

import dev.tangram.inference.config.ConfigException;
import dev.tangram.inference.config.ServerConfig;
import dev.tangram.inference.server.InferenceServer;
import dev.tangram.inference.server.StartupRefusedException;
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
        try {
            server = InferenceServer.start(model, cfg, System.getenv(), Optional.empty());
        } catch (StartupRefusedException e) {
            System.err.println("tangram serve: refusing to start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
