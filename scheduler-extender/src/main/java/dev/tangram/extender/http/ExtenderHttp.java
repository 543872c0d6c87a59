package dev.tangram.extender.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.extender.ExtenderMetrics;
import dev.tangram.extender.GpuExtender;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.placement.NodeFilter;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.state.NodeSource;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The extender's HTTP face: POST {@code <prefix>/filter}, {@code /prioritize}, {@code /bind}, {@code /preempt} in
 * kube-scheduler's JSON, plus {@code /metrics}, {@code /healthz}, {@code /readyz} and the GPU map ({@code /ui}, see
 * {@link GpuMapHttp}). Unreadable or oversized bodies are answered 400 with a message; nothing a client sends makes it
 * answer 5xx.
 */
public final class ExtenderHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtenderHttp.class);
    static final int MIN_THREADS = 4;
    static final int MAX_THREADS = 32;

    /** Where and how to listen. */
    public record Settings(String host, int port, String urlPrefix, long maxRequestBytes, Optional<TlsFiles> tls) {
    }

    private final GpuExtender extender;
    private final PodReader pods;
    private final ExtenderMetrics metrics;
    private final Supplier<String> scrape;
    private final BooleanSupplier ready;
    private final Settings settings;
    private final ObjectMapper json = ExtenderJson.mapper();
    private Javalin app;

    public ExtenderHttp(GpuExtender extender, PodReader pods, ExtenderMetrics metrics, Supplier<String> scrape,
                        BooleanSupplier ready, Settings settings) {
        this.extender = extender;
        this.pods = pods;
        this.metrics = metrics;
        this.scrape = scrape;
        this.ready = ready;
        this.settings = settings;
    }

    /** {@code urlPrefix} without trailing slashes, so that verbs are {@code prefix + "/" + verb} as kube-scheduler calls them. */
    static String normalisedPrefix(String prefix) {
        String p = prefix == null ? "" : prefix.trim();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() || p.startsWith("/") ? p : "/" + p;
    }

    public ExtenderHttp start() {
        String prefix = normalisedPrefix(settings.urlPrefix());
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = settings.maxRequestBytes();
            // Loopback or in-cluster answers of a few KiB: gzip would cost more CPU than the bytes it saves.
            config.http.disableCompression();
            config.jetty.threadPool = threadPool();
            config.jetty.defaultHost = settings.host();
            config.jetty.defaultPort = settings.port();
            settings.tls().ifPresent(tls -> config.jetty.addConnector((server, httpConfig) -> {
                ServerConnector c = tls.connector(server, httpConfig);
                c.setHost(settings.host());
                c.setPort(settings.port());
                return c;
            }));
        });
        app.post(prefix + "/filter", ctx -> handle(ctx, "filter", this::filter));
        app.post(prefix + "/prioritize", ctx -> handle(ctx, "prioritize", this::prioritize));
        app.post(prefix + "/bind", ctx -> handle(ctx, "bind", this::bind));
        app.post(prefix + "/preempt", ctx -> handle(ctx, "preempt", this::preempt));
        app.get("/healthz", ctx -> ctx.result("ok"));
        app.get("/readyz", ctx -> {
            if (ready.getAsBoolean()) {
                ctx.result("ok");
            } else {
                ctx.status(503).result("not ready: informers have not synced");
            }
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape.get()));
        new GpuMapHttp(extender.state()).register(app);
        app.start();
        return this;
    }

    /**
     * Jetty's pool, small: kube-scheduler keeps one connection per extender and calls it from its scheduling loop, so a
     * handful of threads serve it; more threads only compete for the node's cores.
     */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        pool.setName("extender-http");
        pool.setReservedThreads(1);
        return pool;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }

    @FunctionalInterface
    private interface Verb {
        Object answer(byte[] body) throws Exception;
    }

    private void handle(Context ctx, String verb, Verb handler) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            byte[] body = readBody(ctx);
            Object answer = handler.answer(body);
            ctx.contentType("application/json").result(json.writeValueAsBytes(answer));
        } catch (BadRequest e) {
            outcome = "bad-request";
            fail(ctx, 400, verb + ": " + e.getMessage());
        } catch (JsonProcessingException e) {
            outcome = "bad-request";
            fail(ctx, 400, verb + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            outcome = "bad-request";
            fail(ctx, 400, verb + ": could not read the request body: " + e.getMessage());
        } catch (Exception | StackOverflowError e) {
            outcome = "error";
            LOG.error("{} failed", verb, e);
            fail(ctx, 500, verb + ": internal error: " + e);
        } finally {
            metrics.request(verb, outcome, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void fail(Context ctx, int status, String message) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(Map.of("Error", message)));
        } catch (JsonProcessingException e) {
            ctx.status(status).result(message);
        }
    }

    private byte[] readBody(Context ctx) throws IOException, BadRequest {
        long limit = settings.maxRequestBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new BadRequest("request body of " + declared + " bytes exceeds the limit of " + limit + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        byte[] buf = new byte[16384];
        try (InputStream in = ctx.req().getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) {
                    throw new BadRequest("request body exceeds the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
        }
        if (out.size() == 0) {
            throw new BadRequest("empty request body");
        }
        return out.toByteArray();
    }

    private <T> T parse(byte[] body, Class<T> type) throws IOException, BadRequest {
        try (com.fasterxml.jackson.core.JsonParser parser = json.getFactory().createParser(body)) {
            T value = json.readValue(parser, type);
            if (value == null) {
                throw new BadRequest("the body is JSON null, expected an object");
            }
            if (parser.nextToken() != null) {
                throw new BadRequest("malformed JSON: data after the end of the object");
            }
            return value;
        }
    }

    /** The request's pod, nodes and names, checked. */
    private record Request(PodInfo pod, List<String> names, Optional<Map<String, NodeSource>> nodes, List<Node> nodeObjects) {
    }

    private Request request(ExtenderArgs args) throws BadRequest {
        if (args.pod() == null) {
            throw new BadRequest("the request has no Pod");
        }
        PodInfo pod = pods.read(args.pod());
        if (args.nodeNames() != null) {
            for (String n : args.nodeNames()) {
                if (n == null) {
                    throw new BadRequest("NodeNames contains null");
                }
            }
            return new Request(pod, args.nodeNames(), Optional.empty(), List.of());
        }
        if (args.nodes() != null) {
            List<Node> items = args.nodes().getItems() == null ? List.of() : args.nodes().getItems();
            Map<String, NodeSource> sources = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            for (Node node : items) {
                if (node == null || node.getMetadata() == null || node.getMetadata().getName() == null) {
                    throw new BadRequest("Nodes.items contains a node without metadata.name");
                }
                NodeSource src = NodeReader.read(node);
                sources.put(src.name(), src);
                names.add(src.name());
            }
            return new Request(pod, names, Optional.of(sources), items);
        }
        throw new BadRequest("the request has neither NodeNames nor Nodes");
    }

    private Object filter(byte[] body) throws Exception {
        Request r = request(ExtenderArgsReader.read(json, body));
        NodeFilter.Outcome o = extender.filter(r.pod(), r.names(), r.nodes());
        NodeList nodes = null;
        if (r.nodes().isPresent()) {
            java.util.Set<String> passed = new java.util.HashSet<>(o.passed());
            nodes = new NodeList();
            nodes.setApiVersion("v1");
            nodes.setKind("NodeList");
            nodes.setItems(r.nodeObjects().stream().filter(n -> passed.contains(n.getMetadata().getName())).toList());
        }
        return new ExtenderFilterResult(nodes, o.passed(), o.failed(), o.unresolvable(), "");
    }

    private Object prioritize(byte[] body) throws Exception {
        Request r = request(ExtenderArgsReader.read(json, body));
        List<NodeScorer.HostScore> scores = extender.prioritize(r.pod(), r.names(), r.nodes());
        return scores.stream().map(s -> new HostPriority(s.host(), s.score())).toList();
    }

    private Object bind(byte[] body) throws Exception {
        ExtenderBindingArgs args = parse(body, ExtenderBindingArgs.class);
        if (args.podName() == null || args.podNamespace() == null || args.podUid() == null || args.node() == null) {
            throw new BadRequest("bind needs PodName, PodNamespace, PodUID and Node");
        }
        Optional<String> error = extender.bind(args.podNamespace(), args.podName(), args.podUid(), args.node());
        return new ExtenderBindingResult(error.orElse(""));
    }

    private Object preempt(byte[] body) throws Exception {
        ExtenderPreemptionArgs args = parse(body, ExtenderPreemptionArgs.class);
        if (args.pod() == null) {
            throw new BadRequest("the request has no Pod");
        }
        PodInfo pod = pods.read(args.pod());
        Map<String, List<String>> victims = new LinkedHashMap<>();
        Map<String, List<String>> devices = new LinkedHashMap<>();
        Map<String, Long> pdb = new LinkedHashMap<>();
        if (args.nodeNameToMetaVictims() != null) {
            for (Map.Entry<String, ExtenderPreemptionArgs.MetaVictims> e : args.nodeNameToMetaVictims().entrySet()) {
                List<String> uids = new ArrayList<>();
                if (e.getValue() != null && e.getValue().pods() != null) {
                    for (ExtenderPreemptionArgs.MetaPod p : e.getValue().pods()) {
                        if (p == null || p.uid() == null) {
                            throw new BadRequest("NodeNameToMetaVictims." + e.getKey() + " has a victim without UID");
                        }
                        uids.add(p.uid());
                    }
                }
                victims.put(e.getKey(), uids);
                pdb.put(e.getKey(), e.getValue() == null ? 0 : e.getValue().numPdbViolations());
            }
        } else if (args.nodeNameToVictims() != null) {
            for (Map.Entry<String, ExtenderPreemptionArgs.Victims> e : args.nodeNameToVictims().entrySet()) {
                List<String> uids = new ArrayList<>();
                if (e.getValue() != null && e.getValue().pods() != null) {
                    for (Pod p : e.getValue().pods()) {
                        if (p == null || p.getMetadata() == null || p.getMetadata().getUid() == null) {
                            throw new BadRequest("NodeNameToVictims." + e.getKey() + " has a victim without metadata.uid");
                        }
                        PodInfo victim = pods.read(p);
                        uids.add(victim.uid());
                        victim.ownDecision().ifPresent(d -> devices.put(victim.uid(),
                                d.containers().stream().flatMap(c -> c.deviceIds().stream()).toList()));
                    }
                }
                victims.put(e.getKey(), uids);
                pdb.put(e.getKey(), e.getValue() == null ? 0 : e.getValue().numPdbViolations());
            }
        } else {
            throw new BadRequest("the request has neither NodeNameToMetaVictims nor NodeNameToVictims");
        }
        Map<String, List<String>> narrowed = extender.preempt(pod, victims, devices);
        Map<String, ExtenderPreemptionArgs.MetaVictims> out = new LinkedHashMap<>();
        narrowed.forEach((node, uids) -> out.put(node, new ExtenderPreemptionArgs.MetaVictims(
                uids.stream().map(ExtenderPreemptionArgs.MetaPod::new).toList(), pdb.getOrDefault(node, 0L))));
        return new ExtenderPreemptionResult(out);
    }
}
