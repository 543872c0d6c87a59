package dev.tangram.deviceplugin;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The plugin with fabric8's mock API server (CRUD mode): node labels, the inventory annotation, and extender decisions. */
@EnableKubernetesMockClient(crud = true)
class DevicePluginKubeIT {
    static KubernetesClient client;

    private static final String NODE = "dgx-01";
    private KubeletHarness kubelet;
    private SimulatedGpuProbe probe;
    private DevicePluginDaemon daemon;
    private MutableClock clock;

    @BeforeEach
    void startPlugin() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        kubelet = new KubeletHarness();
        probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.DGX_H100));
        clock = new MutableClock(Instant.now());
        daemon = new DevicePluginDaemon(PluginConfig.defaults(NODE, kubelet.dir()).withHttpPort(-1), probe, clock, Optional.of(client),
                false); // the mock server cannot filter pods by spec.nodeName; the plugin's own node check is what runs here
        daemon.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> kubelet.devices(TangramNames.RESOURCE_GPU).size() == 8);
    }

    @AfterEach
    void stopPlugin() throws Exception {
        daemon.close();
        probe.close();
        kubelet.close();
        client.pods().inAnyNamespace().delete();
        client.nodes().withName(NODE).delete();
    }

    @Test
    void publishesGpuLabelsAndTheInventoryAnnotationAndUpdatesThemOnAHealthChange() {
        await().atMost(Duration.ofSeconds(10)).until(() -> labels().containsKey(TangramNames.LABEL_GPU_PRODUCT));
        Map<String, String> labels = labels();
        assertThat(labels).containsEntry(TangramNames.LABEL_GPU_PRESENT, "true")
                .containsEntry(TangramNames.LABEL_GPU_COUNT, "8")
                .containsEntry(TangramNames.LABEL_GPU_PRODUCT, "NVIDIA-H100-80GB-HBM3")
                .containsEntry(TangramNames.LABEL_MIG_STRATEGY, "none")
                .containsEntry(TangramNames.LABEL_GPU_SHARING_STRATEGY, "none")
                .containsEntry(TangramNames.LABEL_GPU_REPLICAS, "1")
                .containsEntry(TangramNames.LABEL_GPU_COMPUTE_MAJOR, "9")
                .containsKeys(TangramNames.LABEL_GPU_MEMORY, TangramNames.LABEL_MIG_CAPABLE, TangramNames.LABEL_CUDA_DRIVER_MAJOR,
                        TangramNames.LABEL_CUDA_DRIVER_FULL);
        NodeInventory published = InventoryCodec.read(annotation());
        assertThat(published.nodeName()).isEqualTo(NODE);
        assertThat(published.gpus()).hasSize(8).allMatch(g -> g.health().healthy());

        Gpu lost = probe.inventory().gpus().get(3);
        probe.injectGpuLost(lost.uuid());
        await().atMost(Duration.ofSeconds(10)).until(() -> !InventoryCodec.read(annotation()).gpu(lost.uuid()).orElseThrow().health().healthy());
    }

    @Test
    void honoursTheExtenderDecisionWhenAllItsIdsAreAvailable() {
        List<String> all = probe.inventory().gpus().stream().map(Gpu::uuid).toList();
        // an odd choice that topology would never make on its own: GPUs 1 and 6 (different NUMA nodes)
        List<String> chosen = List.of(all.get(1), all.get(6));
        // a decision of a pod on another node never counts
        createPod("pod-elsewhere", "trainer", List.of(all.get(2), all.get(5)), clock.instant(), "other-node");
        createPod("pod-uid-1", "trainer", chosen, clock.instant());
        await().atMost(Duration.ofSeconds(10)).until(() -> preferred(all, 2).equals(chosen));
        // consumed: the same question now gets the topology answer (two GPUs on one NUMA node)
        List<String> second = preferred(all, 2);
        assertThat(second).isNotEqualTo(chosen);
        // Allocate of exactly the decided devices identifies the pod and records them on it
        kubelet.plugin(TangramNames.RESOURCE_GPU).allocate(AllocateRequest.newBuilder()
                .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(chosen)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Pod p = client.pods().inNamespace("default").withName("pod-uid-1").get();
            String v = p.getMetadata().getAnnotations().get(TangramNames.ANNOTATION_ALLOCATED);
            return v != null && v.equals("trainer=" + String.join(",", chosen));
        });
    }

    @Test
    void fallsBackToTopologyWhenTheDecisionCannotBeHonouredOrHasExpired() throws InterruptedException {
        List<String> all = probe.inventory().gpus().stream().map(Gpu::uuid).toList();
        createPod("pod-uid-2", "main", List.of(all.get(0), all.get(7)), clock.instant());
        await().atMost(Duration.ofSeconds(10)).until(() -> !daemonDecisionsEmpty());
        Thread.sleep(500); // let the informer deliver the pod
        // GPU 7 is not available: the decision does not match, topology picks two GPUs on one NUMA node
        List<String> available = all.subList(0, 7);
        List<String> pick = preferred(available, 2);
        assertThat(pick).hasSize(2).isSubsetOf(available);
        assertThat(numaOf(pick.get(0))).isEqualTo(numaOf(pick.get(1)));

        // an expired decision is ignored even when it would match
        clock.advance(Duration.ofMinutes(6));
        List<String> again = preferred(all, 2);
        assertThat(again).isNotEqualTo(List.of(all.get(0), all.get(7)));
    }

    private boolean daemonDecisionsEmpty() {
        Pod p = client.pods().inNamespace("default").withName("pod-uid-2").get();
        return p == null;
    }

    private int numaOf(String uuid) {
        return probe.inventory().gpu(uuid).orElseThrow().numaNode();
    }

    private List<String> preferred(List<String> available, int size) {
        return kubelet.plugin(TangramNames.RESOURCE_GPU).getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(available).setAllocationSize(size))
                .build()).getContainerResponses(0).getDeviceIDsList();
    }

    private void createPod(String uid, String container, List<String> devices, Instant decidedAt) {
        createPod(uid, container, devices, decidedAt, NODE);
    }

    /** Creates a pod bound to {@code node}, then writes the extender's decision for its UID, as the extender does at Bind. */
    private void createPod(String name, String container, List<String> devices, Instant decidedAt, String node) {
        Pod created = client.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName(container).withImage("cuda").endContainer().endSpec()
                .build()).create();
        String uid = created.getMetadata().getUid();
        PlacementDecision d = new PlacementDecision(uid, node,
                List.of(new PlacementDecision.ContainerDevices(container, TangramNames.RESOURCE_GPU, devices)), decidedAt);
        client.pods().inNamespace("default").withName(name).edit(p -> new PodBuilder(p).editMetadata()
                .addToAnnotations(TangramNames.ANNOTATION_PLACEMENT, PlacementDecisionCodec.write(d)).endMetadata().build());
    }

    private Map<String, String> labels() {
        Node n = client.nodes().withName(NODE).get();
        return n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
    }

    private String annotation() {
        Map<String, String> a = client.nodes().withName(NODE).get().getMetadata().getAnnotations();
        return a == null ? null : a.get(TangramNames.ANNOTATION_GPU_INVENTORY);
    }

    static SharingConfig noSharing() {
        return SharingConfig.none();
    }
}
