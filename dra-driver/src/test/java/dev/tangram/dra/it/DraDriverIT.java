package dev.tangram.dra.it;

import dev.tangram.core.GpuFixtures;
import dev.tangram.dra.DraDriver;
import dev.tangram.dra.checkpoint.ClaimState;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.dra.v1.Claim;
import dev.tangram.proto.dra.v1.NodePrepareResourceResponse;
import dev.tangram.proto.dra.v1.NodePrepareResourcesResponse;
import dev.tangram.proto.dra.v1.NodePrepareResourcesRequest;
import dev.tangram.proto.pluginregistration.PluginInfo;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The driver in-process, the kubelet played over the real sockets, the API server by fabric8's mock in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class DraDriverIT {
    static KubernetesClient client;

    private Path root;
    private SimulatedGpuProbe probe;
    private DraDriver driver;
    private KubeletHarness kubelet;

    @BeforeEach
    void setUp() {
        root = TestNodes.shortTempDir();
        TestNodes.writeBootId(root, "boot-1");
    }

    @AfterEach
    void tearDown() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (driver != null) {
            driver.close();
        }
        if (probe != null) {
            probe.close();
        }
        TestNodes.deleteTree(root);
    }

    private void start(String example, String node, boolean withApi) {
        probe = SimulatedGpuProbe.open(TestNodes.example(example));
        driver = TestNodes.start(root, node, probe, withApi ? Optional.of(client) : Optional.empty());
        kubelet = new KubeletHarness(root.resolve("kubelet"));
    }

    private Path cdiFile(String uid) {
        return root.resolve("cdi").resolve("tangram.dev-claim_" + uid + ".json");
    }

    @Test
    void registersAsADraPluginOfferingV1ThenV1beta1() {
        start("dgx-h100", "reg-node", true);

        PluginInfo info = kubelet.register();

        assertThat(info.getType()).isEqualTo("DRAPlugin");
        assertThat(info.getName()).isEqualTo("gpu.tangram.dev");
        assertThat(info.getEndpoint()).isEqualTo(root.resolve("kubelet/plugins/gpu.tangram.dev/dra.sock").toString());
        assertThat(info.getSupportedVersionsList()).containsExactly("v1.DRAPlugin", "v1beta1.DRAPlugin");
        assertThat(driver.registration().lastStatus()).hasValueSatisfying(s -> assertThat(s.getPluginRegistered()).isTrue());
        assertThat(kubelet.v1beta1().nodePrepareResources(dev.tangram.proto.dra.v1beta1.NodePrepareResourcesRequest.getDefaultInstance())
                .getClaimsMap()).isEmpty();
    }

    @Test
    void aV1beta1KubeletPreparesAndUnpreparesToo() throws Exception {
        start("dgx-h100", "beta-node", true);
        kubelet.register();
        Claim claim = Claims.claim("ml", "beta", "uid-beta").device("gpu/first", "beta-node", "gpu-6").storeIn(client);
        var betaClaim = dev.tangram.proto.dra.v1beta1.Claim.newBuilder().setNamespace("ml").setName("beta").setUid(claim.getUid()).build();

        var prepared = kubelet.v1beta1().nodePrepareResources(dev.tangram.proto.dra.v1beta1.NodePrepareResourcesRequest.newBuilder()
                .addClaims(betaClaim).build()).getClaimsOrThrow(claim.getUid());

        assertThat(prepared.getError()).isEmpty();
        assertThat(prepared.getDevicesList()).singleElement().satisfies(d -> {
            assertThat(d.getDeviceName()).isEqualTo("gpu-6");
            assertThat(d.getRequestNamesList()).containsExactly("gpu");
        });
        assertThat(cdiFile(claim.getUid())).exists();
        var unprepared = kubelet.v1beta1().nodeUnprepareResources(dev.tangram.proto.dra.v1beta1.NodeUnprepareResourcesRequest.newBuilder()
                .addClaims(betaClaim).build()).getClaimsOrThrow(claim.getUid());
        assertThat(unprepared.getError()).isEmpty();
        assertThat(cdiFile(claim.getUid())).doesNotExist();
    }

    @Test
    void preparesAWholeGpuClaimWithItsCdiSpecAndCheckpointThenUnpreparesIt() throws Exception {
        start("dgx-h100", "prep-node", true);
        kubelet.register();
        String gpu2 = probe.inventory().gpus().get(2).uuid();
        Claim claim = Claims.claim("ml", "one-gpu", "uid-one-gpu").device("gpu", "prep-node", "gpu-2").storeIn(client);

        NodePrepareResourcesResponse response = kubelet.prepare(claim);

        NodePrepareResourceResponse r = response.getClaimsOrThrow(claim.getUid());
        assertThat(r.getError()).isEmpty();
        assertThat(r.getDevicesList()).singleElement().satisfies(d -> {
            assertThat(d.getPoolName()).isEqualTo("prep-node");
            assertThat(d.getDeviceName()).isEqualTo("gpu-2");
            assertThat(d.getRequestNamesList()).containsExactly("gpu");
            assertThat(d.getCdiDeviceIdsList()).containsExactly("tangram.dev/claim=" + claim.getUid() + "-gpu-2");
        });
        String spec = Files.readString(cdiFile(claim.getUid()));
        assertThat(spec).contains("\"kind\" : \"tangram.dev/claim\"", "NVIDIA_VISIBLE_DEVICES=" + gpu2 + "\"", "/dev/nvidia2",
                "TANGRAM_GPU_MEMORY_LIMIT_MIB=81559");
        assertThat(Files.readString(root.resolve("state/checkpoint.json"))).contains("PrepareCompleted", "boot-1");
        assertThat(kubelet.prepare(claim).getClaimsOrThrow(claim.getUid())).isEqualTo(r);

        var unprepared = kubelet.unprepare(claim);

        assertThat(unprepared.getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
        assertThat(cdiFile(claim.getUid())).doesNotExist();
        assertThat(driver.preparer().checkpoint().claims()).isEmpty();
    }

    @Test
    void createsTheMigInstanceAtPrepareAndDestroysItAtUnprepare() throws Exception {
        start("a100-mig", "mig-node", true);
        kubelet.register();
        String gpu3 = probe.inventory().gpus().get(3).uuid();
        Claim claim = Claims.claim("ml", "mig", "uid-mig").device("mig", "mig-node", "gpu-3-mig-1g10gb-2").storeIn(client);

        var r = kubelet.prepare(claim).getClaimsOrThrow(claim.getUid());

        assertThat(r.getError()).isEmpty();
        var created = probe.inventory().gpu(gpu3).orElseThrow().migDevices();
        assertThat(created).singleElement().satisfies(m -> {
            assertThat(m.profile()).isEqualTo("1g.10gb");
            assertThat(m.placementStart()).isEqualTo(2);
        });
        assertThat(Files.readString(cdiFile(claim.getUid()))).contains("NVIDIA_VISIBLE_DEVICES=" + created.getFirst().uuid(),
                "TANGRAM_GPU_MEMORY_LIMIT_MIB=10240");
        assertThat(driver.plan().target("gpu-3-mig-1g10gb-2")).isPresent();

        kubelet.unprepare(claim);

        assertThat(probe.inventory().gpu(gpu3).orElseThrow().migDevices()).isEmpty();
    }

    @Test
    void aMigCreationFailureRollsBackOnlyThatClaim() throws Exception {
        start("a100-mig", "migfail-node", true);
        kubelet.register();
        String gpu3 = probe.inventory().gpus().get(3).uuid();
        Claim whole = Claims.claim("ml", "whole-ok", "uid-w").device("gpu", "migfail-node", "gpu-4").storeIn(client);
        Claim mig = Claims.claim("ml", "mig-lost", "uid-m").device("mig", "migfail-node", "gpu-3-mig-2g20gb-0")
                .device("mig2", "migfail-node", "gpu-3-mig-1g10gb-6").storeIn(client);
        probe.injectGpuLost(gpu3);

        var response = kubelet.prepare(whole, mig);

        assertThat(response.getClaimsOrThrow(whole.getUid()).getError()).isEmpty();
        assertThat(response.getClaimsOrThrow(mig.getUid()).getError()).contains("MIG device creation failed (GPU_LOST)");
        assertThat(cdiFile(mig.getUid())).doesNotExist();
        assertThat(driver.preparer().checkpoint().claim(mig.getUid())).isEmpty();
        assertThat(driver.preparer().checkpoint().claim(whole.getUid()))
                .hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(ClaimState.PREPARE_COMPLETED));
        probe.injectRecovery(gpu3);
        assertThat(probe.inventory().gpu(gpu3).orElseThrow().migDevices()).isEmpty();
    }

    @Test
    void aClaimWithDevicesOfOtherDriversOnlyIsPreparedWithNoDevicesAndNoSpec() {
        start("l4-2", "other-driver-node", true);
        kubelet.register();
        var foreign = new Claims.Foreign("net", "other-driver-node", "nic-0");
        Claim claim = Claims.claim("ml", "nic-only", "uid-nic").foreignDevice(foreign).storeIn(client);

        var r = kubelet.prepare(claim).getClaimsOrThrow(claim.getUid());

        assertThat(r.getError()).isEmpty();
        assertThat(r.getDevicesList()).isEmpty();
        assertThat(cdiFile(claim.getUid())).doesNotExist();
        assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
    }

    @Test
    void aClaimNamingAnUnknownDeviceGetsItsErrorWhileTheOtherClaimIsPrepared() {
        start("dgx-h100", "mixed-node", true);
        kubelet.register();
        Claim good = Claims.claim("ml", "good", "uid-good").device("gpu", "mixed-node", "gpu-1").storeIn(client);
        Claim bad = Claims.claim("ml", "bad", "uid-bad").device("gpu", "mixed-node", "gpu-99").storeIn(client);
        Claim elsewhere = Claims.claim("ml", "elsewhere", "uid-else").device("gpu", "other-node", "gpu-1").storeIn(client);

        var response = kubelet.prepare(good, bad, elsewhere);

        assertThat(response.getClaimsOrThrow(good.getUid()).getError()).isEmpty();
        assertThat(response.getClaimsOrThrow(bad.getUid()).getError()).contains("unknown device gpu-99");
        assertThat(response.getClaimsOrThrow(elsewhere.getUid()).getError()).contains("pool other-node");
        assertThat(cdiFile(good.getUid())).exists();
        assertThat(cdiFile(bad.getUid())).doesNotExist();
    }

    @Test
    void twoClaimsShareOneGpuThroughShareIdsButAnExclusiveThirdIsRefused() throws Exception {
        start("l4-2", "share-node", true);
        kubelet.register();
        Map<String, Object> timeSliced = Map.of("apiVersion", "gpu.tangram.dev/v1alpha1", "kind", "GpuConfig",
                "sharing", Map.of("strategy", "TimeSlicing", "timeSlicing", Map.of("interval", "Short")));
        Claim a = Claims.claim("ml", "share-a", "uid-a").sharedDevice("gpu", "share-node", "gpu-0", "share-1", "8Gi")
                .config("FromClaim", timeSliced).storeIn(client);
        Claim b = Claims.claim("ml", "share-b", "uid-b").sharedDevice("gpu", "share-node", "gpu-0", "share-2", "12Gi").storeIn(client);
        Claim c = Claims.claim("ml", "whole", "uid-c").device("gpu", "share-node", "gpu-0").storeIn(client);

        var response = kubelet.prepare(a, b, c);

        assertThat(response.getClaimsOrThrow(a.getUid()).getError()).isEmpty();
        assertThat(response.getClaimsOrThrow(a.getUid()).getDevices(0).getShareId()).isEqualTo("share-1");
        assertThat(response.getClaimsOrThrow(b.getUid()).getError()).isEmpty();
        assertThat(response.getClaimsOrThrow(c.getUid()).getError()).contains("already prepared for claim");
        assertThat(Files.readString(cdiFile(a.getUid()))).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=8192", "TANGRAM_TIMESLICE_INTERVAL=Short");
        assertThat(Files.readString(cdiFile(b.getUid()))).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=12288", "TANGRAM_TIMESLICE_INTERVAL=Default");

        kubelet.unprepare(a);

        assertThat(cdiFile(b.getUid())).exists();
        assertThat(kubelet.prepare(c).getClaimsOrThrow(c.getUid()).getError()).contains(b.getUid());
    }

    @Test
    void anInvalidSharingConfigFailsOnlyThatClaimNamingTheField() {
        start("l4-2", "cfg-node", true);
        kubelet.register();
        Claim bad = Claims.claim("ml", "bad-cfg", "uid-bad-cfg").device("gpu", "cfg-node", "gpu-1")
                .config("FromClass", Map.of("apiVersion", "gpu.tangram.dev/v1alpha1", "kind", "GpuConfig",
                        "sharing", Map.of("strategy", "MPS", "mps", Map.of("activeThreadPercentage", 0)))).storeIn(client);

        assertThat(kubelet.prepare(bad).getClaimsOrThrow(bad.getUid()).getError()).contains("activeThreadPercentage");
    }

    @Test
    void aReplacedOrUnallocatedClaimIsRefused() {
        start("l4-2", "uid-node", true);
        kubelet.register();
        Claim stored = Claims.claim("ml", "replaced", "uid-r").device("gpu", "uid-node", "gpu-0").storeIn(client);
        Claim stale = KubeletHarness.claim("ml", "some-older-uid", "replaced");
        Claim pending = Claims.claim("ml", "pending", "uid-p").unallocated().storeIn(client);
        Claim missing = KubeletHarness.claim("ml", "uid-missing", "missing");

        var response = kubelet.prepare(stale, pending, missing);

        assertThat(response.getClaimsOrThrow("some-older-uid").getError()).contains("was replaced").contains(stored.getUid());
        assertThat(response.getClaimsOrThrow(pending.getUid()).getError()).contains("not allocated");
        assertThat(response.getClaimsOrThrow("uid-missing").getError()).contains("not found");
    }

    @Test
    void unprepareIsIdempotentForClaimsNeverPreparedOrAlreadyDeleted() {
        start("dgx-h100", "unprep-node", true);
        kubelet.register();
        Claim claim = Claims.claim("ml", "gone", "uid-gone").device("gpu", "unprep-node", "gpu-0").storeIn(client);
        kubelet.prepare(claim);
        client.dynamicResourceAllocation().v1().resourceClaims().inNamespace("ml").withName("gone").delete();

        assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
        assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
        Claim never = KubeletHarness.claim("ml", "uid-never", "never");
        assertThat(kubelet.unprepare(never).getClaimsOrThrow("uid-never").getError()).isEmpty();
        assertThat(cdiFile(claim.getUid())).doesNotExist();
    }

    @Test
    void withoutAKubernetesApiItRegistersAndAnswersEveryClaimThatTheApiIsUnavailable() {
        start("dgx-h100", "lonely-node", false);

        assertThat(kubelet.register().getName()).isEqualTo("gpu.tangram.dev");
        var response = kubelet.prepare(KubeletHarness.claim("ml", "u1", "c1"), KubeletHarness.claim("ml", "u2", "c2"));

        assertThat(response.getClaimsMap()).hasSize(2);
        assertThat(response.getClaimsMap().values()).allSatisfy(r -> assertThat(r.getError()).contains("Kubernetes API unavailable"));
    }

    @Test
    void aMalformedRequestIsInvalidArgumentNamingTheField() {
        start("dgx-h100", "bad-node", true);
        kubelet.register();

        assertThatThrownBy(() -> kubelet.prepare(KubeletHarness.claim("ml", "", "c")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("claims[0] has no uid");
                });
        assertThatThrownBy(() -> kubelet.v1().nodePrepareResources(NodePrepareResourcesRequest.newBuilder()
                .addClaims(KubeletHarness.claim("ml", "u", "a")).addClaims(KubeletHarness.claim("ml", "u", "b")).build()))
                .hasMessageContaining("repeats uid u");
    }

    @Test
    void aSecondDriverOnTheSameStateDirectoryStopsAtStartupAndLeavesTheFirstServing() {
        start("l4-2", "lock-node", false);
        Path otherRoot = TestNodes.shortTempDir();
        try (SimulatedGpuProbe other = SimulatedGpuProbe.open(TestNodes.example("l4-2"))) {
            var config = TestNodes.config(otherRoot, "lock-node", -1);
            var sameState = new dev.tangram.dra.config.DriverConfig(config.nodeSpec(), config.kubeletDir(), config.cdiDir(),
                    root.resolve("state"), config.kubeconfig(), config.nodeName(), -1, config.sliceShape(), config.bootIdFile(), true);

            assertThatThrownBy(() -> DraDriver.start(sameState, other, Optional.empty(), java.time.Clock.systemUTC()))
                    .hasMessageContaining("serialize.lock");
            assertThat(kubelet.register().getName()).isEqualTo("gpu.tangram.dev");
            assertThat(otherRoot.resolve("kubelet/plugins/gpu.tangram.dev/dra.sock")).doesNotExist();
        } finally {
            TestNodes.deleteTree(otherRoot);
        }
    }

    @Test
    void aCorruptCheckpointIsMovedAsideWithAnEventAndTheDriverServes() throws Exception {
        Files.createDirectories(root.resolve("state"));
        Files.writeString(root.resolve("state/checkpoint.json"), "{\"version\":1,\"claims\":{\"x\":[trunc");

        start("dgx-h100", "corrupt-node", true);

        try (var files = Files.list(root.resolve("state"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("checkpoint.json.corrupt-"));
        }
        assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anyMatch(e -> "CheckpointCorrupt".equals(e.getReason()) && "corrupt-node".equals(e.getInvolvedObject().getName())
                        && e.getMessage().contains("moved it to"));
        kubelet.register();
        Claim claim = Claims.claim("ml", "after-corrupt", "uid-ac").device("gpu", "corrupt-node", "gpu-0").storeIn(client);
        assertThat(kubelet.prepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
    }

    @Test
    void aRollbackThatCannotFinishAtStartupKeepsTheClaimReservedInsteadOfStoppingTheDriver() throws Exception {
        probe = SimulatedGpuProbe.open(TestNodes.example("a100-mig"));
        String gpu3 = probe.inventory().gpus().get(3).uuid();
        var stuck = new dev.tangram.dra.checkpoint.ClaimEntry("uid-stuck", "ml", "stuck", ClaimState.PREPARE_STARTED,
                List.of(new dev.tangram.dra.checkpoint.DeviceEntry("mig", "stuck-node", "gpu-3-mig-1g10gb-0", gpu3, null,
                        "tangram.dev/claim=uid-stuck-gpu-3-mig-1g10gb-0")),
                List.of(new dev.tangram.dra.checkpoint.MigEntry("gpu-3-mig-1g10gb-0", gpu3, "1g.10gb", 0, "MIG-stuck")));
        new dev.tangram.dra.checkpoint.CheckpointFile(root.resolve("state"), java.time.Clock.systemUTC())
                .save(dev.tangram.dra.checkpoint.Checkpoint.empty("boot-1").started(stuck));
        Files.createDirectories(root.resolve("cdi"));
        Files.writeString(cdiFile("uid-stuck"), "{}");
        SimulatedGpuProbe sim = probe;
        dev.tangram.core.probe.GpuProbe failingDestroy = new dev.tangram.core.probe.GpuProbe() {
            public String name() { return sim.name(); }
            public dev.tangram.core.model.NodeInventory inventory() { return sim.inventory(); }
            public Optional<dev.tangram.core.probe.GpuEvent> awaitEvent(Duration t) { return sim.awaitEvent(t); }
            public dev.tangram.core.probe.GpuMetrics metrics(String uuid) { return sim.metrics(uuid); }
            public dev.tangram.core.model.MigDevice createMigDevice(String g, String p, int s) { return sim.createMigDevice(g, p, s); }
            public void destroyMigDevice(String uuid) {
                throw new dev.tangram.core.probe.ProbeException(dev.tangram.core.probe.ProbeException.Kind.GPU_LOST, "GPU is lost");
            }
            public void close() { }
        };

        driver = DraDriver.start(TestNodes.config(root, "stuck-node", -1), failingDestroy, Optional.of(client), java.time.Clock.systemUTC());
        kubelet = new KubeletHarness(root.resolve("kubelet"));
        kubelet.register();

        assertThat(driver.preparer().checkpoint().claim("uid-stuck"))
                .hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(ClaimState.PREPARE_STARTED));
        assertThat(cdiFile("uid-stuck")).doesNotExist();
        Claim other = Claims.claim("ml", "wants-same", "uid-same").device("mig", "stuck-node", "gpu-3-mig-1g10gb-0").storeIn(client);
        assertThat(kubelet.prepare(other).getClaimsOrThrow(other.getUid()).getError()).contains("uid-stuck");
        assertThat(kubelet.unprepare(KubeletHarness.claim("ml", "uid-stuck", "stuck")).getClaimsOrThrow("uid-stuck").getError())
                .contains("GPU is lost");
    }

    @Test
    void afterARebootPreparedClaimsAreForgottenAndTheirCdiSpecsRemoved() throws Exception {
        start("dgx-h100", "reboot-node", true);
        kubelet.register();
        Claim claim = Claims.claim("ml", "before-reboot", "uid-br").device("gpu", "reboot-node", "gpu-0").storeIn(client);
        kubelet.prepare(claim);
        kubelet.close();
        driver.close();
        probe.close();
        TestNodes.writeBootId(root, "boot-2");

        start("dgx-h100", "reboot-node", true);

        assertThat(driver.preparer().checkpoint().nodeBootId()).isEqualTo("boot-2");
        assertThat(driver.preparer().checkpoint().claims()).isEmpty();
        assertThat(cdiFile(claim.getUid())).doesNotExist();
    }

    @Test
    void servesMetricsHealthAndReadinessOverHttp() throws Exception {
        probe = SimulatedGpuProbe.open(TestNodes.example("dgx-h100"));
        driver = TestNodes.startWithHttp(root, "ops-node", probe, Optional.of(client));
        kubelet = new KubeletHarness(root.resolve("kubelet"));
        kubelet.register();
        Claim claim = Claims.claim("ml", "ops", "uid-ops").device("gpu", "ops-node", "gpu-0").storeIn(client);
        kubelet.prepare(claim, KubeletHarness.claim("ml", "uid-nope", "nope"));
        var http = java.net.http.HttpClient.newHttpClient();
        String base = "http://localhost:" + driver.httpPort().orElseThrow();

        var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("tangram_dra_prepare_seconds_count 2", "tangram_dra_prepare_errors_total 1.0",
                "tangram_dra_prepared_claims 1.0", "tangram_dra_devices{health=\"healthy\"} 8.0",
                "tangram_dra_devices{health=\"unhealthy\"} 0.0");

        Files.delete(root.resolve("kubelet/plugins/gpu.tangram.dev/dra.sock"));
        var broken = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(broken.statusCode()).isEqualTo(503);
        assertThat(broken.body()).contains("DRA socket");
    }

    private List<ResourceSlice> slicesOf(String node) {
        return client.dynamicResourceAllocation().v1().resourcesSlices().list().getItems().stream()
                .filter(s -> node.equals(s.getSpec().getNodeName())).toList();
    }

    @Test
    void publishesTheNodesSlicesAndRaisesTheGenerationWhenAGpuFails() {
        start("a100-mig", "slice-node", true);

        List<ResourceSlice> first = slicesOf("slice-node");
        // a100-mig: GPU 3 in MIG mode with nothing carved (25 partitions), GPUs 0-2 fully carved statically, 4-7 whole
        assertThat(first.stream().mapToInt(s -> s.getSpec().getDevices() == null ? 0 : s.getSpec().getDevices().size()).sum())
                .isEqualTo(25 + 4);
        assertThat(first).allSatisfy(s -> {
            assertThat(s.getSpec().getPool().getGeneration()).isEqualTo(1L);
            assertThat(s.getSpec().getPool().getResourceSliceCount()).isEqualTo((long) first.size());
            assertThat(s.getSpec().getDriver()).isEqualTo("gpu.tangram.dev");
        });
        assertThat(driver.publish()).isFalse();

        probe.injectGpuLost(probe.inventory().gpus().get(5).uuid());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<ResourceSlice> now = slicesOf("slice-node");
            assertThat(now).allSatisfy(s -> assertThat(s.getSpec().getPool().getGeneration()).isEqualTo(2L));
            assertThat(now.stream().flatMap(s -> s.getSpec().getDevices() == null ? java.util.stream.Stream.empty() : s.getSpec().getDevices().stream())
                    .filter(d -> d.getName().equals("gpu-5")).findFirst().orElseThrow().getTaints())
                    .singleElement().satisfies(t -> {
                        assertThat(t.getKey()).isEqualTo("gpu.tangram.dev/unhealthy");
                        assertThat(t.getEffect()).isEqualTo("NoSchedule");
                    });
        });

        probe.injectRecovery(probe.inventory().gpus().get(5).uuid());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<ResourceSlice> now = slicesOf("slice-node");
            assertThat(now).allSatisfy(s -> assertThat(s.getSpec().getPool().getGeneration()).isEqualTo(3L));
            assertThat(now.stream().flatMap(s -> s.getSpec().getDevices() == null ? java.util.stream.Stream.empty() : s.getSpec().getDevices().stream())
                    .filter(d -> d.getName().equals("gpu-5")).findFirst().orElseThrow().getTaints()).isNullOrEmpty();
        });
    }

    @Test
    void onKubernetes134EachSliceCarriesTheCounterSetsOfItsDevices() {
        probe = SimulatedGpuProbe.open(TestNodes.example("h200-mig"));
        driver = DraDriver.start(TestNodes.config(root, "old-node", -1, dev.tangram.dra.slice.SliceShape.COUNTERS_BESIDE_DEVICES),
                probe, Optional.of(client), java.time.Clock.systemUTC());

        List<ResourceSlice> slices = slicesOf("old-node");

        assertThat(slices).isNotEmpty().allSatisfy(s -> {
            var devices = s.getSpec().getDevices() == null ? List.<io.fabric8.kubernetes.api.model.resource.v1.Device>of() : s.getSpec().getDevices();
            var sets = s.getSpec().getSharedCounters() == null ? List.<io.fabric8.kubernetes.api.model.resource.v1.CounterSet>of()
                    : s.getSpec().getSharedCounters();
            assertThat(devices).isNotEmpty();
            devices.stream().flatMap(d -> d.getConsumesCounters() == null ? java.util.stream.Stream.empty() : d.getConsumesCounters().stream())
                    .forEach(c -> assertThat(sets).anyMatch(set -> set.getName().equals(c.getCounterSet())));
        });
        assertThat(slices.stream().flatMap(s -> s.getSpec().getDevices().stream()).map(d -> d.getName()))
                .contains("gpu-1", "gpu-2", "gpu-3").noneMatch(n -> n.startsWith("gpu-0-mig-3g71gb-0"));
    }

    @Test
    void slicesAreOwnedByTheirNodeSoTheyGoWithIt() {
        var node = client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("owned-node")
                .endMetadata().build()).create();

        start("l4-2", "owned-node", true);

        assertThat(slicesOf("owned-node")).singleElement().satisfies(s -> assertThat(s.getMetadata().getOwnerReferences())
                .singleElement().satisfies(o -> {
                    assertThat(o.getKind()).isEqualTo("Node");
                    assertThat(o.getName()).isEqualTo("owned-node");
                    assertThat(o.getUid()).isEqualTo(node.getMetadata().getUid());
                }));
    }

    @Test
    void whenTheServerGivesNoUsableVersionTheDriverPublishesThe135Shape() {
        probe = SimulatedGpuProbe.open(TestNodes.example("l4-2"));
        var forced = TestNodes.config(root, "noversion-node", -1);
        driver = DraDriver.start(new dev.tangram.dra.config.DriverConfig(forced.nodeSpec(), forced.kubeletDir(), forced.cdiDir(),
                forced.stateDir(), forced.kubeconfig(), forced.nodeName(), -1, Optional.empty(), forced.bootIdFile(), true),
                probe, Optional.of(client), java.time.Clock.systemUTC());

        assertThat(driver.shape()).isEqualTo(dev.tangram.dra.slice.SliceShape.COUNTERS_IN_OWN_SLICES);
    }

    @Test
    void obsoleteSlicesAreDeletedWhenThePoolShrinks() {
        start("a100-mig", "shrink-node", true);
        int before = slicesOf("shrink-node").size();
        driver.close();
        probe.close();

        start("l4-2", "shrink-node", true);

        List<ResourceSlice> after = slicesOf("shrink-node");
        assertThat(before).isGreaterThan(1);
        assertThat(after).singleElement().satisfies(s -> {
            assertThat(s.getSpec().getPool().getGeneration()).isEqualTo(2L);
            assertThat(s.getSpec().getDevices()).extracting(d -> d.getName()).containsExactly("gpu-0", "gpu-1");
        });
    }
}
