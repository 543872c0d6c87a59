package dev.tangram.extender.kube;

import dev.tangram.extender.state.ClusterState;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers on Nodes and Pods feeding the {@link ClusterState}: on start they list everything (so the state, assumed
 * decisions of earlier runs included, is rebuilt from the annotations), then follow changes.
 */
public final class Fabric8ClusterWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8ClusterWatcher.class);

    private final KubernetesClient client;
    private final ClusterState state;
    private final PodReader reader;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;

    public Fabric8ClusterWatcher(KubernetesClient client, ClusterState state, PodReader reader) {
        this.client = client;
        this.state = state;
        this.reader = reader;
    }

    public Fabric8ClusterWatcher start() {
        nodes = client.nodes().runnableInformer(0);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                state.upsertNode(NodeReader.read(n));
            }

            @Override
            public void onUpdate(Node old, Node n) {
                state.upsertNode(NodeReader.read(n));
            }

            @Override
            public void onDelete(Node n, boolean unknownFinalState) {
                state.removeNode(n.getMetadata().getName());
            }
        });
        pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                state.upsertPod(reader.read(p));
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                state.upsertPod(reader.read(p));
            }

            @Override
            public void onDelete(Pod p, boolean unknownFinalState) {
                state.removePod(p.getMetadata().getUid());
            }
        });
        nodes.start().whenComplete((v, e) -> log("node", e));
        pods.start().whenComplete((v, e) -> log("pod", e));
        return this;
    }

    private static void log(String what, Throwable e) {
        if (e != null) {
            LOG.warn("{} informer failed to start: {}", what, e.getMessage());
        } else {
            LOG.info("{} informer synced", what);
        }
    }

    /** Both informers have listed once: the state reflects the cluster. */
    public boolean synced() {
        return nodes != null && pods != null && nodes.hasSynced() && pods.hasSynced();
    }

    @Override
    public void close() {
        if (nodes != null) {
            nodes.close();
        }
        if (pods != null) {
            pods.close();
        }
    }
}
