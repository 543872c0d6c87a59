package dev.tangram.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bin/tangram demo}: the whole stack on simulated nodes, a short workload, then the GPU map until Ctrl-C. */
@Command(name = "tangram demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs Tangram on three simulated GPU nodes in one process: embedded Kubernetes API, device plugins, "
                + "scheduler extender, a short workload and one inference request; then serves the GPU map until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = {"--exit", "--no-wait"}, description = "exit after the workload instead of serving the GPU map (tests, CI)")
    boolean exit;
    @Option(names = "--port", paramLabel = "N", description = "port of the extender and its GPU map /ui (default 8888; 0 = any free port)")
    int port = 8888;
    @Option(names = "--host", paramLabel = "ADDR", description = "address the extender listens on (default 127.0.0.1; 0.0.0.0 to show the map to other machines)")
    String host = "127.0.0.1";
    @Option(names = "--no-inference", description = "skip the inference request")
    boolean noInference;

    /** Set by {@link #call()}: what the workload came to (for tests running the command in-process). */
    DemoOutcome outcome;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--port must be 0..65535, got " + port);
        }
        DemoLog log = new DemoLog(System.out);
        try (Demo demo = new Demo(log, new Demo.Options(host, port, !noInference))) {
            try {
                demo.start();
            } catch (RuntimeException e) {
                System.err.println("tangram demo: could not start the stack: " + e.getMessage()
                        + (port != 0 ? " (is port " + port + " taken? try --port 0)" : ""));
                return 1;
            }
            outcome = demo.runWorkload();
            log.banner("Summary");
            boolean ok = DemoSummary.print(outcome, log);
            if (!ok) {
                return 1;
            }
            if (exit) {
                return 0;
            }
            log.banner("GPU map");
            log.step("open %s  (the extender's live map of every GPU; Ctrl-C to stop)", demo.uiUrl());
            CountDownLatch stop = new CountDownLatch(1);
            // Ctrl-C: the hook stops the stack itself (the JVM does not wait for the main thread), then says so
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                demo.close();
                System.out.println("tangram demo: stopped");
                stop.countDown();
            }, "tangram-demo-stop"));
            stop.await();
            return 0;
        }
    }
}
