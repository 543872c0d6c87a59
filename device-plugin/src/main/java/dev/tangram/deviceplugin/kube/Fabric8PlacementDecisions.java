package dev.tangram.deviceplugin.kube;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.json.JsonException;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.allocation.PlacementDecisions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the pods bound to this node ({@code spec.nodeName=<node>}) and keeps their placement decisions, parsed once per
 * pod change. A malformed annotation is logged and ignored (the plugin then falls back to its own topology pick). Also
 * writes the {@code tangram.dev/allocated-devices} annotation on a pod Allocate could identify.
 */
public final class Fabric8PlacementDecisions implements PlacementDecisions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8PlacementDecisions.class);

    private record PodRef(String namespace, String name) {
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final Map<String, PlacementDecision> decisions = new ConcurrentHashMap<>();
    private final Map<String, PodRef> pods = new ConcurrentHashMap<>();
    private final boolean serverSideFilter;
    private SharedIndexInformer<Pod> informer;

    public Fabric8PlacementDecisions(KubernetesClient client, String nodeName) {
        this(client, nodeName, true);
    }

    /**
     * @param serverSideFilter ask the API server for this node's pods only ({@code fieldSelector=spec.nodeName=...}); off only
     *                         for API servers that cannot filter on that field (fabric8's mock server). Pods of other nodes
     *                         are ignored either way.
     */
    public Fabric8PlacementDecisions(KubernetesClient client, String nodeName, boolean serverSideFilter) {
        this.client = client;
        this.nodeName = nodeName;
        this.serverSideFilter = serverSideFilter;
    }

    public void start() {
        var allPods = client.pods().inAnyNamespace();
        var selected = serverSideFilter ? allPods.withField("spec.nodeName", nodeName) : allPods;
        informer = selected.inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                put(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                put(after);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                String uid = pod.getMetadata().getUid();
                decisions.remove(uid);
                pods.remove(uid);
            }
        }, 0);
    }

    private void put(Pod pod) {
        String uid = pod.getMetadata().getUid();
        LOG.debug("pod {}/{} (uid {}) on node {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid,
                pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        if (uid == null || pod.getSpec() == null || !nodeName.equals(pod.getSpec().getNodeName())) {
            decisions.remove(uid == null ? "" : uid);
            return;
        }
        pods.put(uid, new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String raw = annotations == null ? null : annotations.get(TangramNames.ANNOTATION_PLACEMENT);
        if (raw == null) {
            decisions.remove(uid);
            return;
        }
        try {
            PlacementDecision d = PlacementDecisionCodec.read(raw);
            if (!d.podUid().equals(uid)) {
                LOG.warn("pod {}/{}: placement decision is for pod UID {}, not {}; ignored", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), d.podUid(), uid);
                decisions.remove(uid);
                return;
            }
            decisions.put(uid, d);
        } catch (JsonException e) {
            LOG.warn("pod {}/{}: malformed {} annotation ignored: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    TangramNames.ANNOTATION_PLACEMENT, e.getMessage());
            decisions.remove(uid);
        }
    }

    @Override
    public List<PlacementDecision> current() {
        return List.copyOf(decisions.values());
    }

    public Set<String> livePods() {
        return Set.copyOf(pods.keySet());
    }

    /** Records on the pod what Allocate handed out, when the pod is known. */
    public void annotateAllocated(String podUid, String container, List<String> deviceIds) {
        PodRef ref = pods.get(podUid);
        if (ref == null) {
            return;
        }
        try {
            client.pods().inNamespace(ref.namespace()).withName(ref.name()).edit(p -> {
                p.getMetadata().getAnnotations();
                var meta = p.getMetadata();
                if (meta.getAnnotations() == null) {
                    meta.setAnnotations(new java.util.HashMap<>());
                }
                meta.getAnnotations().merge(TangramNames.ANNOTATION_ALLOCATED, container + "=" + String.join(",", deviceIds),
                        (a, b) -> a.contains(b) ? a : a + ";" + b);
                return p;
            });
        } catch (KubernetesClientException e) {
            LOG.warn("could not annotate pod {}/{} with its devices: {}", ref.namespace(), ref.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
