package dev.tangram.extender.kube;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Leadership that follows kube-scheduler's own Lease: in the sidecar layout the extender replica leads exactly when the
 * kube-scheduler in its pod does, i.e. when the scheduler's Lease is held by an identity {@code <pod hostname>_...}
 * (kube-scheduler's form) and has not expired. The active scheduler then always talks to a replica that may bind.
 */
public final class SchedulerLeaseFollower implements Leadership {
    private final String namespace;
    private final String name;
    private final String hostname;
    private final Clock clock;
    private final SharedIndexInformer<Lease> informer;

    public SchedulerLeaseFollower(KubernetesClient client, String namespace, String name, String hostname, Clock clock) {
        this.namespace = namespace;
        this.name = name;
        this.hostname = hostname;
        this.clock = clock;
        this.informer = client.leases().inNamespace(namespace).withField("metadata.name", name).runnableInformer(0);
        this.informer.start();
    }

    private Optional<Lease> lease() {
        return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
    }

    private Optional<String> holder() {
        return lease().map(Lease::getSpec).map(s -> s.getHolderIdentity() == null ? "" : s.getHolderIdentity());
    }

    private boolean current(Lease lease) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime();
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        return renewed != null && seconds != null && renewed.toInstant().plusSeconds(seconds).isAfter(clock.instant());
    }

    @Override
    public boolean leading() {
        return lease().filter(l -> l.getSpec() != null && l.getSpec().getHolderIdentity() != null
                && l.getSpec().getHolderIdentity().startsWith(hostname + "_") && current(l)).isPresent();
    }

    @Override
    public Optional<String> bindRefusal() {
        if (leading()) {
            return Optional.empty();
        }
        return Optional.of("this extender replica (pod " + hostname + ") does not sit next to the active kube-scheduler: lease "
                + namespace + "/" + name + holder().map(h -> h.isEmpty() ? " has no holder" : " is held by " + h).orElse(" does not exist")
                + " (or has expired)");
    }

    @Override
    public void close() {
        informer.close();
    }
}
