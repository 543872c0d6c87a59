package dev.tangram.sim;

import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.policy.FragmentationMeasure;
import dev.tangram.core.placement.policy.Policies;
import dev.tangram.core.placement.policy.PolicyOptions;
import dev.tangram.core.placement.policy.TargetWorkload;
import dev.tangram.core.placement.policy.TaskShape;
import dev.tangram.core.placement.policy.WorkloadMix;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code tangram simulate}: replays a trace through several placement policies and seeds, and reports Alloc@X. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay a GPU cluster trace through placement policies; writes summary.csv, curves.csv and report.html.")
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--nodes", required = true, description = "Nodes: the trace's node CSV (sn,cpu_milli,memory_mib,gpu,model) or a cluster YAML.")
    Path nodesFile;

    @Option(names = "--pods", required = true, description = "Pods: the trace's pod CSV (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,...) or a pods YAML.")
    Path podsFile;

    @Option(names = "--policy", split = ",", defaultValue = "random,dotprod,clustering,packing,bestfit,fgd,tangram",
            description = "Policies, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--seeds", defaultValue = "10", description = "Seeds per policy (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--first-seed", defaultValue = "42", description = "First seed; the others follow (default: ${DEFAULT-VALUE}, as the paper).")
    long firstSeed;

    @Option(names = "--tune", defaultValue = "1.3", description = "Pad arrivals to this multiple of GPU capacity (default: ${DEFAULT-VALUE}).")
    double tune;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--workload", defaultValue = "trace",
            description = "Fragmentation workload of fgd/tangram: trace (the pod file's shapes, fixed, as the paper), online (learned from arrivals), seeded (trace, then learned). Default: ${DEFAULT-VALUE}.")
    String workload;

    @Option(names = "--threads", description = "Runs in parallel (default: the machine's cores).")
    Integer threads;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command, with bad input (unreadable or malformed files) reported as one line naming the problem, exit code 1. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new SimulateCommand());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            line.getErr().println("simulate: " + cause.getMessage());
            return 1;
        });
        return cmd;
    }

    @Override
    public Integer call() throws Exception {
        for (String p : policies) {
            if (!Policies.NAMES.contains(p)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--policy: unknown policy '" + p + "'; known: "
                        + String.join(", ", Policies.NAMES));
            }
        }
        if (seeds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--seeds must be at least 1");
        }
        ClusterFiles.Loaded input = ClusterFiles.load(nodesFile, podsFile);
        Map<TaskShape, Double> shapes = TargetWorkload.countShapes(input.pods().stream().map(SimPod::demand).toList());
        PolicyOptions options = switch (workload) {
            case "trace" -> PolicyOptions.fromTrace(0, shapes);
            case "online" -> PolicyOptions.defaults(0);
            case "seeded" -> new PolicyOptions(0, shapes, true, 2000, WorkloadMix.DEFAULT_COVERAGE, 100);
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--workload must be trace, online or seeded, not '" + workload + "'");
        };
        // Reported fragmentation: the paper's measure against the paper's typical tasks (CPU and GPU shapes, 95 %).
        FragmentationMeasure reference = new FragmentationMeasure(
                TargetWorkload.fixedEmpty(WorkloadMix.DEFAULT_COVERAGE).ignoringMemory().seedWeights(shapes).mix(), false);
        Replay replay = new Replay(input.nodes(), reference);
        long capacity = replay.capacityMilli();
        if (capacity == 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes: the cluster has no GPU");
        }
        List<List<SimPod>> orders = new ArrayList<>();
        long totalPods = 0;
        for (int s = 0; s < seeds; s++) {
            List<SimPod> order = Arrivals.of(input.pods(), firstSeed + s, tune, capacity);
            orders.add(order);
            totalPods += (long) order.size() * policies.size();
        }
        Files.createDirectories(out);
        System.err.printf("%d nodes, %d GPUs, %d pods; %d policies x %d seeds%n", input.nodes().size(), capacity / 1000, input.pods().size(),
                policies.size(), seeds);
        ProgressBar bar = new ProgressBar(System.err, totalPods);
        int parallel = threads == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, threads);
        List<RunResult> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<RunResult>> futures = new ArrayList<>();
            for (String name : policies) {
                for (int s = 0; s < seeds; s++) {
                    long seed = firstSeed + s;
                    List<SimPod> order = orders.get(s);
                    futures.add(pool.submit(() -> {
                        PlacementPolicy policy = Policies.byName(name, options.withSeed(seed));
                        return replay.run(name, policy, seed, order, bar::advance);
                    }));
                }
            }
            for (Future<RunResult> f : futures) {
                results.add(f.get());
            }
        }
        bar.finish();
        results.sort(Comparator.comparingInt((RunResult r) -> policies.indexOf(r.policy())).thenComparingLong(RunResult::seed));
        Summary summary = Summary.of(results);
        ReportFiles.write(out, summary, results);
        System.out.print(summary.table());
        System.err.println("wrote " + out.resolve("summary.csv") + ", curves.csv, report.html");
        return 0;
    }
}
