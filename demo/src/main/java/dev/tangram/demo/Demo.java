package dev.tangram.demo;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.demo.DemoOutcome.Placement;
import dev.tangram.demo.grpc.GrpcKubeletSimulator;
import dev.tangram.demo.grpc.GrpcKubeletSimulator.ContainerGrant;
import dev.tangram.demo.http.ExtenderClient;
import dev.tangram.demo.inference.InferenceRun;
import dev.tangram.demo.kube.EmbeddedCluster;
import dev.tangram.deviceplugin.DevicePluginDaemon;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The whole stack in one process: the embedded API, one device plugin and kubelet per simulated node, the extender with
 * its GPU map, a scheduler loop for {@code schedulerName: tangram-scheduler} pods, and the inference server on the
 * allocation its pod got.
 */
public final class Demo implements AutoCloseable {
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration DECISION_WAIT = Duration.ofSeconds(10);

    /** @param port the extender's (and GPU map's) port; 0 = any free port */
    public record Options(String host, int port, boolean runInference) {
    }

    private final DemoLog log;
    private final Options options;
    private final Path work;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, GrpcKubeletSimulator> kubelets = new LinkedHashMap<>();
    private final Map<String, Path> specs = new LinkedHashMap<>();
    private EmbeddedCluster cluster;
    private ExtenderApp extender;
    private ExtenderClient scheduler;

    public Demo(DemoLog log, Options options) throws IOException {
        this.log = log;
        this.options = options;
        // under /tmp rather than a possibly long $TMPDIR: Unix socket paths are limited to 107 bytes
        Path tmp = Files.isWritable(Path.of("/tmp")) ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
        this.work = Files.createTempDirectory(tmp, "tangram-demo");
    }

    /** Starts the API, the nodes and the extender, and waits until the extender sees every node's GPUs. */
    public void start() throws IOException, InterruptedException {
        log.banner("Starting the stack");
        cluster = EmbeddedCluster.start();
        open.add(cluster);
        log.step("embedded Kubernetes API (fabric8 mock server, CRUD mode) at %s", cluster.url());
        for (DemoNode node : DemoNode.cluster()) {
            startNode(node);
        }
        ExtenderConfig d = ExtenderConfig.defaults();
        ExtenderConfig cfg = new ExtenderConfig(new ExtenderConfig.Http(options.host(), options.port(), "/", d.http().maxRequestBytes(),
                Optional.empty(), Optional.empty(), Optional.empty()), d.scoring(), d.assumeTtl(), d.gangTtl(), d.sharedResources(),
                new ExtenderConfig.LeaderElection(false, d.leaderElection().namespace(), d.leaderElection().name(),
                        d.leaderElection().leaseDuration(), Optional.empty()));
        extender = ExtenderApp.start(cfg, Optional.of(cluster.client()), Clock.systemUTC(), "tangram-demo");
        open.add(extender);
        scheduler = new ExtenderClient(URI.create("http://127.0.0.1:" + extender.port() + "/"));
        log.step("scheduler extender on %s (filter, prioritize, bind; policy %s)", uiUrl().replace("/ui", ""), cfg.scoring().policy());
        for (DemoNode node : DemoNode.cluster()) {
            await("the extender to see the GPUs of " + node.name(),
                    () -> extender.synced() && extender.state().viewWithout(node.name(), Set.of()).isPresent());
        }
        log.step("the extender sees %d nodes with their GPU inventories", DemoNode.cluster().size());
    }

    private void startNode(DemoNode node) throws IOException, InterruptedException {
        Path spec = extract(node.specFile());
        specs.put(node.name(), spec);
        cluster.createNode(node.name(), Map.of("kubernetes.io/hostname", node.name()));
        GrpcKubeletSimulator kubelet = new GrpcKubeletSimulator(work.resolve(node.name()),
                (resource, n) -> log.detail("%s: %s registered with the kubelet, %d devices", node.name(), resource, n));
        open.add(kubelet);
        kubelets.put(node.name(), kubelet);
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(spec);
        open.add(probe);
        PluginConfig config = PluginConfig.defaults(node.name(), kubelet.dir()).withHttpPort(-1)
                .withMigStrategy(node.migStrategy()).withSharing(node.sharing());
        // the mock API cannot filter pods by spec.nodeName: the plugin's own node check does it (as in its tests)
        DevicePluginDaemon plugin = new DevicePluginDaemon(config, probe, Clock.systemUTC(), Optional.of(cluster.client()), false);
        log.step("node %s: %s", node.name(), node.summary());
        plugin.start();
        open.add(plugin);
        // every resource registered and its device list received by the kubelet (ListAndWatch answers just after Register
        // returns): the capacity published below must hold them all, or kube-scheduler's fit check misses one
        await("the device plugin of " + node.name() + " to register", () -> plugin.supervisor().allRegistered()
                && kubelet.capacity().keySet().containsAll(plugin.supervisor().wanted())
                && cluster.node(node.name()).map(n -> n.getMetadata().getAnnotations() != null
                && n.getMetadata().getAnnotations().containsKey(TangramNames.ANNOTATION_GPU_INVENTORY)).orElse(false));
        Map<String, Integer> capacity = kubelet.capacity();
        cluster.publishCapacity(node.name(), capacity);
        Map<String, String> labels = cluster.node(node.name()).orElseThrow().getMetadata().getLabels();
        log.detail("%s: labels %s=%s %s=%s, inventory annotation published; node capacity %s", node.name(),
                TangramNames.LABEL_GPU_PRODUCT, labels.get(TangramNames.LABEL_GPU_PRODUCT),
                TangramNames.LABEL_GPU_COUNT, labels.get(TangramNames.LABEL_GPU_COUNT), capacity);
    }

    private Path extract(String specFile) throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("/nodes/" + specFile)) {
            if (in == null) {
                throw new IOException("node description nodes/" + specFile + " is missing from the demo's jar");
            }
            Path out = work.resolve(specFile);
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        }
    }

    /** Creates the workload's pods, schedules each through the extender, allocates on the kubelet, and runs the inference pod. */
    public DemoOutcome runWorkload() throws IOException, InterruptedException {
        log.banner("Scheduling the workload");
        List<DemoPod> workload = DemoPod.workload();
        for (DemoPod p : workload) {
            cluster.createPod(p.toPod());
        }
        log.step("created %d pods with schedulerName %s", workload.size(), DemoPod.SCHEDULER);
        List<Placement> placements = new ArrayList<>();
        for (DemoPod p : workload) {
            placements.add(schedule(p));
        }
        Optional<InferenceRun.Outcome> inference = Optional.empty();
        Optional<Placement> chat = placements.stream().filter(p -> p.pod().inference() && p.grant().isPresent()).findFirst();
        if (options.runInference() && chat.isPresent()) {
            inference = Optional.of(infer(chat.get()));
        }
        Map<String, Map<String, Set<String>>> held = new TreeMap<>();
        kubelets.forEach((n, k) -> held.put(n, k.held()));
        return new DemoOutcome(placements, held, inference);
    }

    private Placement schedule(DemoPod p) throws IOException, InterruptedException {
        Pod pod = cluster.pod(DemoPod.NAMESPACE, p.name()).orElseThrow();
        log.step("pod %s asks %d x %s (%s)", p.name(), p.count(), p.resource(), p.story());
        // kube-scheduler's own NodeResourcesFit first: the Node's allocatable count of the resource (the kubelet publishes the
        // plugins' device counts) minus what the pods bound there request
        Map<String, String> failedBuiltIn = new LinkedHashMap<>();
        List<String> nodes = new ArrayList<>();
        kubelets.keySet().forEach(name -> {
            long free = cluster.freeOf(name, p.resource());
            if (free >= p.count()) {
                nodes.add(name);
            } else {
                failedBuiltIn.put(name, "Insufficient " + p.resource());
            }
        });
        if (!failedBuiltIn.isEmpty()) {
            log.detail("kube-scheduler NodeResourcesFit: %s", failedBuiltIn);
        }
        ExtenderClient.FilterResult filter = nodes.isEmpty() ? new ExtenderClient.FilterResult(List.of(), Map.of(), "")
                : scheduler.filter(pod, nodes);
        if (filter.nodeNames().isEmpty()) {
            Map<String, String> failed = new LinkedHashMap<>(failedBuiltIn);
            failed.putAll(filter.failed());
            String why = !filter.error().isEmpty() ? filter.error() : String.join("; ", failed.entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).toList());
            log.detail("REJECTED: no node fits: %s", why);
            return new Placement(p, Optional.empty(), why, List.of(), Optional.empty(), false);
        }
        Map<String, Long> scores = scheduler.prioritize(pod, filter.nodeNames());
        String node = filter.nodeNames().stream().max(Comparator.comparingLong(n -> scores.getOrDefault(n, 0L))).orElseThrow();
        log.detail("extender filter passed %s%s; prioritize %s -> %s", filter.nodeNames(),
                filter.failed().isEmpty() ? "" : " (failed: " + filter.failed().keySet() + ")", scores, node);
        String bindError = scheduler.bind(pod, node);
        if (!bindError.isEmpty()) {
            log.detail("REJECTED: bind failed: %s", bindError);
            return new Placement(p, Optional.empty(), "bind: " + bindError, List.of(), Optional.empty(), false);
        }
        cluster.markBound(DemoPod.NAMESPACE, p.name(), node);
        List<String> decided = decision(p).map(d -> d.containers().stream().filter(c -> c.container().equals(DemoPod.CONTAINER))
                .flatMap(c -> c.deviceIds().stream()).toList()).orElse(List.of());
        log.detail("bound to %s; decision %s = %s", node, TangramNames.ANNOTATION_PLACEMENT, decided);
        GrpcKubeletSimulator kubelet = kubelets.get(node);
        List<String> preferred = kubelet.preferred(p.resource(), p.count());
        long deadline = System.nanoTime() + DECISION_WAIT.toNanos();
        // the plugin learns the decision from its pod informer: like the kubelet, the demo asks once the pod is bound
        while (!decided.isEmpty() && !preferred.equals(decided) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            preferred = kubelet.preferred(p.resource(), p.count());
        }
        boolean honoured = preferred.equals(decided);
        if (preferred.size() != p.count()) {
            log.detail("REJECTED by the kubelet: %s has %d of %s available, the pod asks %d", node, preferred.size(), p.resource(), p.count());
            return new Placement(p, Optional.of(node), "kubelet: not enough " + p.resource(), decided, Optional.empty(), false);
        }
        ContainerGrant grant = kubelet.allocate(p.resource(), preferred);
        log.detail("kubelet on %s: GetPreferredAllocation -> %s (%s), Allocate -> container env:", node, preferred,
                honoured ? "the extender's decision" : "the plugin's own choice");
        grant.env().forEach((k, v) -> log.detail("    %s=%s", k, v));
        if (!grant.deviceNodes().isEmpty()) {
            log.detail("    device nodes %s", grant.deviceNodes());
        }
        return new Placement(p, Optional.of(node), "", decided, Optional.of(grant), honoured);
    }

    private Optional<PlacementDecision> decision(DemoPod p) {
        return cluster.pod(DemoPod.NAMESPACE, p.name())
                .map(pod -> pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(TangramNames.ANNOTATION_PLACEMENT))
                .map(PlacementDecisionCodec::read);
    }

    private InferenceRun.Outcome infer(Placement chat) throws IOException, InterruptedException {
        log.banner("Inference on the shared replica");
        Path model = InferenceRun.writeTinyModel(work);
        log.step("wrote a tiny random GGUF model (%d KiB) to %s", Files.size(model) / 1024, model);
        Map<String, String> env = chat.grant().orElseThrow().env();
        Path spec = specs.get(chat.node().orElseThrow());
        log.step("starting the inference server in-process with the container's env and --node-spec %s", spec.getFileName());
        InferenceRun.Outcome o = InferenceRun.run(model, env, spec, "Tangram places GPUs");
        log.detail("POST /v1/completions {\"prompt\": \"%s\"} -> %d tokens: \"%s\"", o.prompt(), o.completionTokens(), o.answer());
        log.detail("GET /v1/allocation: memory limit %d MiB (%s)", o.memoryLimitMib(), o.budgetSource());
        log.detail("%s", o.arithmetic());
        log.detail("(random weights: the text is gibberish by design; the numbers are the point)");
        return o;
    }

    public String uiUrl() {
        String host = options.host().equals("0.0.0.0") ? "localhost" : options.host();
        return "http://" + host + ":" + extender.port() + "/ui";
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting " + READY_WAIT.toSeconds() + " s for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                log.detail("closing %s: %s", open.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            log.detail("could not delete %s: %s", work, e.getMessage());
        }
    }
}
