package dev.tangram.extender.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.extender.ExtenderMetrics;
import dev.tangram.extender.GpuExtender;
import dev.tangram.extender.PodBinder;
import dev.tangram.extender.http.ExtenderHttp;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.PackingScorer;
import dev.tangram.extender.placement.PolicyCatalog;
import dev.tangram.extender.state.ClusterState;
import dev.tangram.extender.state.NodeSource;
import dev.tangram.extender.state.PodInfo;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bin/tangram extender-bench}: an in-memory cluster of N nodes x 8 GPUs (NVSwitch, two NUMA nodes, a seeded share
 * of GPUs already in use), the extender's HTTP server in this process, and a lean blocking HTTP/1.1 client on one keep-alive connection that
 * sends filter then prioritize for one pod with K candidate names, as kube-scheduler does with nodeCacheCapable. Bodies
 * are serialised before the clock starts (prioritize's names are cut from filter's answer). Prints p50/p99/max of the
 * pair, pairs per second and the server's own time per pair (request handling inside the HTTP server).
 */
@CommandLine.Command(name = "extender-bench", mixinStandardHelpOptions = true,
        description = "Filter+prioritize latency of the extender over HTTP keep-alive against an in-memory cluster.")
public final class ExtenderBench implements Callable<Integer> {
    @CommandLine.Option(names = "--nodes", defaultValue = "5000", description = "nodes in the cluster (default ${DEFAULT-VALUE})")
    int nodes;

    @CommandLine.Option(names = "--candidates", split = ",", defaultValue = "500,5000", description = "candidate names per request")
    int[] candidates;

    @CommandLine.Option(names = "--gpus", defaultValue = "1", description = "GPUs the pod asks for (default ${DEFAULT-VALUE})")
    int gpus;

    @CommandLine.Option(names = "--used", defaultValue = "0.5", description = "share of GPUs already in use (default ${DEFAULT-VALUE})")
    double used;

    @CommandLine.Option(names = "--policy", defaultValue = "tangram", description = "placement policy (default ${DEFAULT-VALUE})")
    String policy;

    @CommandLine.Option(names = "--warmup", defaultValue = "2000", description = "pairs before measuring (default ${DEFAULT-VALUE}: enough for C2 to compile the request path)")
    int warmup;

    @CommandLine.Option(names = "--pairs", defaultValue = "2000", description = "measured pairs per candidate count (default ${DEFAULT-VALUE})")
    int pairs;

    /** Distinct shuffled candidate lists the requests cycle through. */
    private static final int NAME_LISTS = 64;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExtenderBench()).execute(args));
    }

    static NodeInventory dgx(String name) {
        List<Gpu> list = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String uuid = String.format("GPU-%08x-0000-4000-8000-%012d", name.hashCode(), i);
            list.add(new Gpu(uuid, i, i, "NVIDIA H100 80GB HBM3", "hopper", new ComputeCapability(9, 0), 81559,
                    String.format("0000:%02x:00.0", 0x18 + i), i < 4 ? 0 : 1, Health.HEALTHY, true, false, List.of(), Optional.empty()));
        }
        return new NodeInventory(name, "550.54.15", "12.4", list,
                LinkMatrix.of(8, (i, j) -> new Link(18, (i < 4) == (j < 4) ? PcieRelation.SAME_NUMA : PcieRelation.CROSS_CPU)));
    }

    static byte[] concat(byte[] prefix, byte[] names) {
        byte[] body = Arrays.copyOf(prefix, prefix.length + names.length + 1);
        System.arraycopy(names, 0, body, prefix.length, names.length);
        body[body.length - 1] = '}';
        return body;
    }

    /** The {@code NodeNames} array of a filter answer, as the raw JSON bytes it came in, and how many names it holds. */
    record PassedNames(byte[] json, int count) {
        static PassedNames of(ObjectMapper mapper, byte[] answer) throws java.io.IOException {
            try (JsonParser p = mapper.getFactory().createParser(answer)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new java.io.IOException("filter answer is not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("NodeNames") && value == JsonToken.START_ARRAY) {
                        int from = (int) p.currentTokenLocation().getByteOffset();
                        int count = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            count++;
                        }
                        int to = (int) p.currentTokenLocation().getByteOffset() + 1;
                        return new PassedNames(Arrays.copyOfRange(answer, from, to), count);
                    }
                    p.skipChildren();
                }
            }
            throw new java.io.IOException("filter answer has no NodeNames: " + new String(answer, StandardCharsets.UTF_8));
        }
    }

    @Override
    public Integer call() throws Exception {
        Random random = new Random(42);
        ClusterState state = new ClusterState(Clock.systemUTC(), Duration.ofHours(1), Duration.ofMinutes(1));
        List<String> names = new ArrayList<>();
        int podNo = 0;
        for (int n = 0; n < nodes; n++) {
            String name = "node-" + n;
            names.add(name);
            NodeInventory inv = dgx(name);
            state.upsertNode(NodeSource.of(name, InventoryCodec.write(inv), inv));
            for (Gpu g : inv.gpus()) {
                if (random.nextDouble() < used) {
                    String uid = "used-" + podNo++;
                    PlacementDecision d = new PlacementDecision(uid, name, List.of(new PlacementDecision.ContainerDevices("main",
                            "nvidia.com/gpu", List.of(g.uuid()))), Instant.now());
                    state.upsertPod(new PodInfo(uid, "bench", uid, new PodDemand("bench/" + uid, 0, 0, List.of(), Set.of()),
                            Optional.empty(), "", name, false, Optional.of(d), List.of()));
                }
            }
        }
        state.snapshot();
        PodReader reader = new PodReader(Set.of("nvidia.com/gpu.shared"), PodGroupSizes.NONE);
        NodeScorer scorer = new NodeScorer(PolicyCatalog.byName(policy, 1), new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED);
        GpuExtender extender = new GpuExtender(state, scorer, PodBinder.NO_API, ExtenderMetrics.NONE, Optional::empty);
        ObjectMapper json = new ObjectMapper();
        LongAdder serverNanos = new LongAdder();
        ExtenderMetrics serverTime = new ExtenderMetrics() {
            @Override
            public void request(String verb, String outcome, Duration elapsed) {
                serverNanos.add(elapsed.toNanos());
            }

            @Override
            public void decision(String verb, String decision, long count) {
            }

            @Override
            public void rejection(String verb, String reason, long count) {
            }
        };
        try (ExtenderHttp http = new ExtenderHttp(extender, reader, serverTime, () -> "", () -> true,
                new ExtenderHttp.Settings("127.0.0.1", 0, "/", 64L << 20, Optional.empty())).start()) {
            KeepAliveClient client = new KeepAliveClient("127.0.0.1", http.port());
            System.out.printf("cluster: %d nodes x 8 GPUs, %.0f%% of GPUs in use; pod asks for %d GPU(s); policy %s; %d cores%n",
                    nodes, used * 100, gpus, policy, Runtime.getRuntime().availableProcessors());
            for (int k : candidates) {
                int count = Math.min(k, nodes);
                // Request bodies are built before the clock starts, so that the client (which shares the cores) costs
                // little: a pool of shuffled name lists, each pod's JSON prefix, and prioritize's names cut verbatim
                // out of filter's answer.
                byte[][] nameLists = new byte[NAME_LISTS][];
                for (int l = 0; l < NAME_LISTS; l++) {
                    Collections.shuffle(names, random);
                    nameLists[l] = json.writeValueAsBytes(names.subList(0, count));
                }
                byte[][] podPrefixes = new byte[warmup + pairs][];
                for (int i = 0; i < warmup + pairs; i++) {
                    podPrefixes[i] = ("{\"Pod\":{\"metadata\":{\"name\":\"bench-" + i + "\",\"namespace\":\"default\",\"uid\":\"uid-" + k + "-" + i
                            + "\"},\"spec\":{\"containers\":[{\"name\":\"main\",\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"" + gpus
                            + "\"}}}]}},\"NodeNames\":").getBytes(StandardCharsets.UTF_8);
                }
                long[] nanos = new long[pairs];
                long passedTotal = 0;
                long start = 0;
                long serverBefore = 0;
                for (int i = -warmup; i < pairs; i++) {
                    if (i == 0) {
                        start = System.nanoTime();
                        serverBefore = serverNanos.sum();
                    }
                    byte[] prefix = podPrefixes[i + warmup];
                    long t0 = System.nanoTime();
                    byte[] filterAnswer = client.postBytes("/filter", concat(prefix, nameLists[Math.floorMod(i, NAME_LISTS)]));
                    PassedNames passed = PassedNames.of(json, filterAnswer);
                    client.postBytes("/prioritize", concat(prefix, passed.json()));
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        nanos[i] = t1 - t0;
                        passedTotal += passed.count();
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double serverMs = (serverNanos.sum() - serverBefore) / 1e6 / pairs;
                Arrays.sort(nanos);
                System.out.printf("candidates %5d: filter+prioritize p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f pairs/s; server %.2f ms per pair"
                                + " (%d pairs, %.0f nodes passed filter on average)%n",
                        count, nanos[pairs / 2] / 1e6, nanos[(int) Math.min(pairs - 1, Math.ceil(pairs * 0.99) - 1)] / 1e6,
                        nanos[pairs - 1] / 1e6, pairs / seconds, serverMs, pairs, (double) passedTotal / pairs);
            }
            client.close();
        }
        return 0;
    }
}
