package dev.tangram.deviceplugin.grpc;

import dev.tangram.deviceplugin.NodeState;
import dev.tangram.deviceplugin.allocation.AllocationResponder;
import dev.tangram.deviceplugin.allocation.DecisionMatcher;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.resources.PluginResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one server per resource with devices running and registered with the kubelet. All work happens on one thread, and
 * requests coalesce, so a kubelet restart seen three ways (socket created, sockets deleted, streams dropped) re-registers
 * once. A resource is registered only after its own server has answered over its socket; a resource with no devices gets
 * no server; a failed registration is retried with backoff (1 s doubling to 30 s).
 */
public final class ResourceSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceSupervisor.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long a resource may be without a ListAndWatch stream before it is re-registered. */
    static final Duration STREAM_GRACE = Duration.ofSeconds(2);

    private final Path kubeletDir;
    private final NodeState state;
    private final DecisionMatcher decisions;
    private final AllocationResponder responder;
    private final SharedPolicy policy;
    private final AllocationObserver observer;
    private final GrpcKubeletRegistrar registrar;
    private final ScheduledExecutorService worker;
    /** Runs what follows an Allocate (metrics, the pod annotation: an API call) off the gRPC thread. */
    private final ExecutorService rpcExecutor;
    private final java.util.concurrent.CountDownLatch firstPass = new java.util.concurrent.CountDownLatch(1);
    private final Map<String, DevicePluginServer> servers = new HashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean forceReregister;
    private volatile Duration backoff = Duration.ofSeconds(1);
    private volatile boolean closed;
    private volatile Runnable afterRegistration = () -> {
    };

    public ResourceSupervisor(Path kubeletDir, NodeState state, DecisionMatcher decisions, AllocationResponder responder,
                              SharedPolicy policy, AllocationObserver observer) {
        this.kubeletDir = kubeletDir;
        this.state = state;
        this.decisions = decisions;
        this.responder = responder;
        this.policy = policy;
        this.observer = observer;
        this.registrar = new GrpcKubeletRegistrar(kubeletDir);
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tangram-registration");
            t.setDaemon(true);
            return t;
        });
        this.rpcExecutor = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tangram-after-allocate");
            t.setDaemon(true);
            return t;
        });
        state.addListener(snapshot -> {
            Set<String> serving;
            synchronized (servers) {
                serving = Set.copyOf(servers.keySet());
            }
            if (!snapshot.resources().keySet().equals(serving)) {
                request(false, "the set of resources changed");
            }
        });
    }

    /** Starts every server and registers them (asynchronously; see {@link #allRegistered()}). */
    public void start() {
        request(false, "start");
    }

    /** Called when the kubelet restarted or a stream dropped: re-register every resource. */
    public void reregisterAll(String why) {
        request(true, why);
    }

    /**
     * A ListAndWatch stream ended from the kubelet's side. A kubelet that accepts a new registration ends the previous
     * endpoint's stream too, so the check waits a moment: only a resource left with no stream at all is re-registered.
     */
    void streamLost(String resource) {
        if (closed) {
            return;
        }
        worker.schedule(() -> {
            DevicePluginServer s;
            synchronized (servers) {
                s = servers.get(resource);
            }
            if (s != null && s.service().openStreams() == 0) {
                LOG.warn("the kubelet no longer watches {}: re-registering", resource);
                request(true, "stream of " + resource + " lost");
            }
        }, STREAM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Periodic check: restart and re-register a server whose socket vanished. */
    public void repairIfBroken() {
        if (closed) {
            return;
        }
        worker.execute(() -> {
            boolean broken;
            synchronized (servers) {
                broken = servers.values().stream().anyMatch(s -> !s.running());
            }
            if (broken) {
                request(true, "a plugin socket disappeared");
            }
        });
    }

    /** Waits until the first registration attempt of every resource is over (done or failed). */
    public boolean awaitFirstPass(Duration timeout) throws InterruptedException {
        return firstPass.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void onRegistered(Runnable callback) {
        this.afterRegistration = callback;
    }

    public Set<String> registered() {
        return Set.copyOf(registered);
    }

    /** The resources that have devices and should be registered. */
    public Set<String> wanted() {
        Set<String> out = new LinkedHashSet<>();
        state.snapshot().resources().forEach((name, r) -> {
            if (!r.devices().isEmpty()) {
                out.add(name);
            }
        });
        return out;
    }

    public boolean allRegistered() {
        Set<String> wanted = wanted();
        return !wanted.isEmpty() && registered.containsAll(wanted);
    }

    private void request(boolean force, String why) {
        if (closed) {
            return;
        }
        if (force) {
            forceReregister = true;
        }
        if (pending.compareAndSet(false, true)) {
            LOG.info("registering with the kubelet ({})", why);
            worker.execute(this::reconcile);
        }
    }

    private void reconcile() {
        pending.set(false);
        if (closed) {
            return;
        }
        boolean force = forceReregister;
        forceReregister = false;
        Set<String> wanted = wanted();
        boolean failed = false;
        synchronized (servers) {
            for (String name : Set.copyOf(servers.keySet())) {
                if (!wanted.contains(name)) {
                    LOG.info("resource {} has no devices any more: stopping its server", name);
                    DevicePluginServer s = servers.remove(name);
                    s.stop();
                    deleteQuietly(s.socket());
                    registered.remove(name);
                }
            }
            for (String name : wanted) {
                DevicePluginServer server = servers.computeIfAbsent(name, n -> new DevicePluginServer(
                        new GrpcDevicePluginService(n, state, decisions, responder, policy,
                                (resource, ids) -> rpcExecutor.execute(() -> observer.allocated(resource, ids)),
                                () -> streamLost(n)),
                        kubeletDir.resolve(PluginResource.socketName(n))));
                try {
                    if (!server.running()) {
                        server.start();
                        registered.remove(name);
                    }
                    if (force || !registered.contains(name)) {
                        registered.remove(name);
                        registrar.register(name, server.socket().getFileName().toString());
                        registered.add(name);
                        LOG.info("registered {} ({} devices) on {}", name, state.snapshot().resource(name).map(r -> r.devices().size()).orElse(0),
                                server.socket().getFileName());
                    }
                } catch (RuntimeException e) {
                    failed = true;
                    LOG.warn("could not register {} with the kubelet: {}", name, e.getMessage());
                }
            }
        }
        firstPass.countDown();
        if (failed && !closed) {
            Duration wait = backoff;
            backoff = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
            forceReregister = forceReregister || force;
            worker.schedule(() -> request(false, "retry"), wait.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            backoff = Duration.ofSeconds(1);
            afterRegistration.run();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        synchronized (servers) {
            servers.values().forEach(s -> {
                s.stop();
                deleteQuietly(s.socket());
            });
            servers.clear();
        }
        registered.clear();
        rpcExecutor.shutdownNow();
    }
}
