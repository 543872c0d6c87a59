package dev.tangram.extender.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Leader election with a coordination.k8s.io Lease: of several replicas only the leader binds, so two replicas never
 * give one device to two pods. Every replica answers filter and prioritize from its own cache.
 */
public final class LeaseLeadership implements Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseLeadership.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration leaseDuration;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicReference<String> leader = new AtomicReference<>("");
    private CompletableFuture<?> running;

    public LeaseLeadership(KubernetesClient client, String namespace, String name, String identity, Duration leaseDuration) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
    }

    public LeaseLeadership start() {
        running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(name)
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(5))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            leading.set(true);
                            LOG.info("{} leads (lease {}/{}): binding", identity, namespace, name);
                        },
                        () -> {
                            leading.set(false);
                            LOG.info("{} stopped leading: bind refused until it leads again", identity);
                        },
                        leader::set))
                .build()).build().start();
        return this;
    }

    @Override
    public boolean leading() {
        return leading.get();
    }

    @Override
    public Optional<String> bindRefusal() {
        return leading.get() ? Optional.empty() : Optional.of("this extender replica (" + identity + ") is not the leader of lease "
                + namespace + "/" + name + (leader.get().isEmpty() ? "" : "; the leader is " + leader.get()));
    }

    @Override
    public void close() {
        if (running != null) {
            running.cancel(true);
        }
    }
}
