package dev.tangram.dra.kube;

import dev.tangram.core.access.ApiCall;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Every Kubernetes API call the DRA driver's adapters make, as RBAC sees it. {@code ApiCallsIT} keeps this list equal to what
 * the adapters send to an API server; the shipped ClusterRole is compared with it (manifests module). The driver also reads
 * {@code /version} (slice shape {@code auto}): a non-resource URL every authenticated user may read
 * ({@code system:public-info-viewer}), so no rule of ours grants it.
 */
public final class ApiCalls {
    private ApiCalls() {
    }

    /** {@link Fabric8ClaimSource}: one GET per claim to prepare. */
    public static final Set<ApiCall> CLAIM_SOURCE = Set.copyOf(ApiCall.verbs("resource.k8s.io", "resourceclaims", "get"));

    /**
     * {@link Fabric8ResourceSlicePublisher}: list this driver's slices, delete obsolete ones, create each or, when it exists, read
     * it and replace it; its Node as the slices' owner.
     */
    public static final Set<ApiCall> SLICE_PUBLISHER = Set.copyOf(Stream.of(
            ApiCall.verbs("resource.k8s.io", "resourceslices", "get", "list", "create", "update", "delete"),
            ApiCall.verbs("", "nodes", "get")).flatMap(List::stream).toList());

    /** {@link Fabric8EventRecorder}: Warning Events about the Node (its UID read first). */
    public static final Set<ApiCall> EVENT_RECORDER = Set.copyOf(Stream.of(
            ApiCall.verbs("", "events", "create"), ApiCall.verbs("", "nodes", "get")).flatMap(List::stream).toList());

    /** All of them, sorted. */
    public static Set<ApiCall> all() {
        return new TreeSet<>(Stream.of(CLAIM_SOURCE, SLICE_PUBLISHER, EVENT_RECORDER).flatMap(Set::stream).toList());
    }
}
