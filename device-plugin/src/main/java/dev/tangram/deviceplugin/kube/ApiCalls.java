package dev.tangram.deviceplugin.kube;

import dev.tangram.core.access.ApiCall;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Every Kubernetes API call the device plugin's adapters make, as RBAC sees it. {@code ApiCallsIT} keeps this list equal to
 * what the adapters send to an API server; the shipped ClusterRole is compared with it (manifests module).
 */
public final class ApiCalls {
    private ApiCalls() {
    }

    /** {@link Fabric8NodePublisher}: read then patch its own Node (labels, inventory annotation). */
    public static final Set<ApiCall> NODE_PUBLISHER = Set.copyOf(ApiCall.verbs("", "nodes", "get", "patch"));

    /**
     * {@link Fabric8PlacementDecisions}: an informer on the pods bound to this node (list, watch), and the
     * {@code tangram.dev/allocated-devices} annotation (read then patch).
     */
    public static final Set<ApiCall> PLACEMENT_DECISIONS = Set.copyOf(ApiCall.verbs("", "pods", "get", "list", "watch", "patch"));

    /** All of them, sorted. */
    public static Set<ApiCall> all() {
        return new TreeSet<>(Stream.of(NODE_PUBLISHER, PLACEMENT_DECISIONS).flatMap(Set::stream).toList());
    }
}
