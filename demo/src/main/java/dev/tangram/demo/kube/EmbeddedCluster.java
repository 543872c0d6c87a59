package dev.tangram.demo.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The demo's Kubernetes API: fabric8's mock server in CRUD mode, in this process on a local port. It stores and watches
 * objects like an API server but runs no controllers: a created Binding does not set the pod's node, so
 * {@link #markBound} plays that part of the API server.
 */
public final class EmbeddedCluster implements AutoCloseable {
    /** The mock server logs every request through java.util.logging; kept here so the level setting is not collected. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    private EmbeddedCluster(KubernetesMockServer server, NamespacedKubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    public static EmbeddedCluster start() {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        NamespacedKubernetesClient client = server.createClient(b -> b.editOrNewConfig()
                .withRequestRetryBackoffLimit(1).withRequestRetryBackoffInterval(50).endConfig());
        return new EmbeddedCluster(server, client);
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /** The API's address, e.g. {@code http://localhost:41234/}. */
    public String url() {
        return server.url("/");
    }

    public void createNode(String name, Map<String, String> labels) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
    }

    /** What the kubelet does with the device plugins' resources: capacity and allocatable in the Node's status. */
    public void publishCapacity(String node, Map<String, Integer> devices) {
        Map<String, Quantity> q = new TreeMap<>();
        devices.forEach((r, n) -> q.put(r, new Quantity(Integer.toString(n))));
        client.nodes().withName(node).editStatus(n -> new NodeBuilder(n).editStatus().addToCapacity(q).addToAllocatable(q).endStatus().build());
    }

    /** kube-scheduler's view of a node for an extended resource: allocatable minus what the pods bound there request. */
    public long freeOf(String node, String resource) {
        Quantity alloc = node(node).map(n -> n.getStatus().getAllocatable()).map(a -> a.get(resource)).orElse(null);
        if (alloc == null) {
            return 0;
        }
        long requested = client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .flatMap(p -> p.getSpec().getContainers().stream())
                .map(c -> c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource))
                .filter(java.util.Objects::nonNull)
                .mapToLong(x -> x.getNumericalAmount().longValue())
                .sum();
        return alloc.getNumericalAmount().longValue() - requested;
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(client.nodes().withName(name).get());
    }

    public Pod createPod(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
    }

    /** What the API server does when a Binding is created: the pod gets {@code spec.nodeName}. */
    public void markBound(String namespace, String name, String node) {
        client.pods().inNamespace(namespace).withName(name).edit(p -> new PodBuilder(p).editSpec().withNodeName(node).endSpec().build());
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
