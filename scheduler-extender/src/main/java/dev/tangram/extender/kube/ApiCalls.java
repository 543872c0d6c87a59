package dev.tangram.extender.kube;

import dev.tangram.core.access.ApiCall;
import dev.tangram.extender.config.ExtenderConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every Kubernetes API call the extender's adapters make, as RBAC sees it, for a given configuration. {@code ApiCallsIT}
 * keeps this list equal to what the adapters send to an API server; the shipped RBAC is compared with it (manifests module).
 */
public final class ApiCalls {
    private ApiCalls() {
    }

    /** {@link Fabric8ClusterWatcher}: informers on all Nodes and all Pods. */
    public static final Set<ApiCall> CLUSTER_WATCHER = calls(ApiCall.verbs("", "nodes", "list", "watch"), ApiCall.verbs("", "pods", "list", "watch"));

    /** {@link Fabric8PodBinder}: read the pod, merge-patch the decision annotation, create the Binding. */
    public static final Set<ApiCall> POD_BINDER = calls(ApiCall.verbs("", "pods", "get", "patch"), ApiCall.verbs("", "bindings", "create"));

    /** {@link Fabric8PodGroupSizes}: is the PodGroup CRD installed, then an informer on PodGroups. */
    public static final Set<ApiCall> POD_GROUPS = calls(ApiCall.verbs("apiextensions.k8s.io", "customresourcedefinitions", "get"),
            ApiCall.verbs("scheduling.x-k8s.io", "podgroups", "list", "watch"));

    /** {@link LeaseLeadership}: fabric8's leader election on a Lease of the extender's own (it renews with a patch). */
    public static final Set<ApiCall> OWN_LEASE = calls(ApiCall.verbs("coordination.k8s.io", "leases", "get", "create", "patch"));

    /** {@link SchedulerLeaseFollower}: an informer on kube-scheduler's Lease. */
    public static final Set<ApiCall> SCHEDULER_LEASE = calls(ApiCall.verbs("coordination.k8s.io", "leases", "list", "watch"));

    /** The calls of an extender running with this configuration and an API. Sorted. */
    public static Set<ApiCall> of(ExtenderConfig config) {
        Set<ApiCall> all = new TreeSet<>();
        all.addAll(CLUSTER_WATCHER);
        all.addAll(POD_BINDER);
        all.addAll(POD_GROUPS);
        if (config.leaderElection().enabled()) {
            all.addAll(config.leaderElection().followSchedulerLease().isPresent() ? SCHEDULER_LEASE : OWN_LEASE);
        }
        return all;
    }

    /** The namespace of the Lease this configuration reads or writes, where the lease rules belong (a Role, not a ClusterRole). */
    public static Optional<String> leaseNamespace(ExtenderConfig config) {
        if (!config.leaderElection().enabled()) {
            return Optional.empty();
        }
        return Optional.of(config.leaderElection().followSchedulerLease().map(f -> f.split("/")[0])
                .orElse(config.leaderElection().namespace()));
    }

    @SafeVarargs
    private static Set<ApiCall> calls(List<ApiCall>... groups) {
        List<ApiCall> all = new ArrayList<>();
        for (List<ApiCall> g : groups) {
            all.addAll(g);
        }
        return Set.copyOf(all);
    }
}
