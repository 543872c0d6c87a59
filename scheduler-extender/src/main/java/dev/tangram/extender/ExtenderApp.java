package dev.tangram.extender;

import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.http.ExtenderHttp;
import dev.tangram.extender.http.TlsFiles;
import dev.tangram.extender.kube.Fabric8ClusterWatcher;
import dev.tangram.extender.kube.Fabric8PodBinder;
import dev.tangram.extender.kube.Leadership;
import dev.tangram.extender.kube.LeaseLeadership;
import dev.tangram.extender.kube.SchedulerLeaseFollower;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.metrics.MicrometerExtenderMetrics;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.PolicyCatalog;
import dev.tangram.extender.state.ClusterState;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The extender wired together: state, informers, binder, leadership, policy and the HTTP server. */
public final class ExtenderApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtenderApp.class);

    private final ClusterState state;
    private final GpuExtender extender;
    private final ExtenderHttp http;
    private final Fabric8ClusterWatcher watcher;
    private final Leadership leadership;
    private final PodGroupSizes podGroups;

    private ExtenderApp(ClusterState state, GpuExtender extender, ExtenderHttp http, Fabric8ClusterWatcher watcher,
                        Leadership leadership, PodGroupSizes podGroups) {
        this.podGroups = podGroups;
        this.state = state;
        this.extender = extender;
        this.http = http;
        this.watcher = watcher;
        this.leadership = leadership;
    }

    /**
     * Starts everything. Without a client the extender serves full-NodeList filter and prioritize only, and says so.
     *
     * @param identity this replica's name in the leader Lease
     */
    public static ExtenderApp start(ExtenderConfig config, Optional<KubernetesClient> client, Clock clock, String identity) {
        return start(config, client, clock, identity, identity);
    }

    /**
     * @param hostname this pod's hostname, which kube-scheduler's Lease identity starts with (followSchedulerLease)
     */
    public static ExtenderApp start(ExtenderConfig config, Optional<KubernetesClient> client, Clock clock, String identity,
                                    String hostname) {
        ClusterState state = new ClusterState(clock, config.assumeTtl(), config.gangTtl());
        PodGroupSizes podGroups = client.map(dev.tangram.extender.kube.Fabric8PodGroupSizes::startIfInstalled).orElse(PodGroupSizes.NONE);
        PodReader reader = new PodReader(config.sharedResources(), podGroups);
        MicrometerExtenderMetrics metrics = new MicrometerExtenderMetrics(state);
        NodeScorer scorer = new NodeScorer(PolicyCatalog.byName(config.scoring().policy(), config.scoring().seed()),
                config.scoring().weights(), config.scoring().packing());
        Fabric8ClusterWatcher watcher = null;
        Leadership leadership = null;
        PodBinder binder = PodBinder.NO_API;
        Supplier<Optional<String>> refusal = Optional::empty;
        BooleanSupplier ready = () -> true;
        if (client.isPresent()) {
            watcher = new Fabric8ClusterWatcher(client.get(), state, reader).start();
            binder = new Fabric8PodBinder(client.get(), reader);
            Fabric8ClusterWatcher w = watcher;
            ready = w::synced;
            if (config.leaderElection().enabled()) {
                Optional<String> follow = config.leaderElection().followSchedulerLease();
                leadership = follow.isPresent()
                        ? new SchedulerLeaseFollower(client.get(), follow.get().split("/")[0], follow.get().split("/")[1], hostname, clock)
                        : new LeaseLeadership(client.get(), config.leaderElection().namespace(), config.leaderElection().name(),
                        identity, config.leaderElection().leaseDuration()).start();
                refusal = leadership::bindRefusal;
            }
        } else {
            LOG.warn("no Kubernetes API configured: serving filter and prioritize for full-NodeList requests only; "
                    + "nodeCacheCapable (NodeNames) requests and bind need the API (--kubeconfig, or run in a cluster)");
        }
        GpuExtender extender = new GpuExtender(state, scorer, binder, metrics, refusal);
        Optional<TlsFiles> tls = config.http().tlsCertFile().map(cert -> new TlsFiles(cert, config.http().tlsKeyFile().orElseThrow(),
                config.http().tlsClientCaFile()));
        tls.ifPresent(TlsFiles::load);
        ExtenderHttp http = new ExtenderHttp(extender, reader, metrics, metrics::scrape, ready, new ExtenderHttp.Settings(
                config.http().host(), config.http().port(), config.http().urlPrefix(), config.http().maxRequestBytes(), tls)).start();
        LOG.info("extender listening on {}:{} ({}), prefix '{}', policy {}, weights {}", config.http().host(), http.port(),
                tls.isPresent() ? "https" + (config.http().tlsClientCaFile().isPresent() ? ", client certificates required" : "") : "http",
                config.http().urlPrefix(), config.scoring().policy(), config.scoring().weights());
        return new ExtenderApp(state, extender, http, watcher, leadership, podGroups);
    }

    public int port() {
        return http.port();
    }

    public ClusterState state() {
        return state;
    }

    public GpuExtender extender() {
        return extender;
    }

    public boolean synced() {
        return watcher == null || watcher.synced();
    }

    public Optional<Leadership> leadership() {
        return Optional.ofNullable(leadership);
    }

    @Override
    public void close() {
        http.close();
        if (leadership != null) {
            leadership.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (podGroups instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the PodGroup informer: {}", e.getMessage());
            }
        }
    }
}
