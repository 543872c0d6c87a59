package dev.tangram.extender.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.config.ExtenderConfigLoader;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Informers, binds and restarts against fabric8's mock API server in CRUD mode. */
class BindIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExtenderConfig CONFIG = ExtenderConfigLoader.parse("""
            http: {host: 127.0.0.1, port: 0}
            scoring: {policy: topology}
            leaderElection: {enabled: false}
            """, "test");

    private MockApi api;
    private ExtenderApp app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void cluster() {
        api = new MockApi();
        for (int n = 0; n < 10; n++) {
            api.client().nodes().resource(KubeFixtures.dgx("n" + n)).create();
        }
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        api.close();
    }

    private ExtenderApp startApp() {
        ExtenderApp a = ExtenderApp.start(CONFIG, Optional.of(api.client()), Clock.systemUTC(), "test");
        await().atMost(Duration.ofSeconds(30)).until(a::synced);
        return a;
    }

    private String post(int port, String verb, Object body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + verb))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static Map<String, Object> bindArgs(Pod p, String node) {
        return Map.of("PodName", p.getMetadata().getName(), "PodNamespace", "default", "PodUID", p.getMetadata().getUid(), "Node", node);
    }

    @Test
    void twoHundredParallelBindsAcrossTenNodesNeverGiveADeviceTwice() throws Exception {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pods.add(api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("p" + i, 1)).create());
        }
        app = startApp();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.state().figures().pods() == 200);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < pods.size(); i++) {
            Pod p = pods.get(i);
            String node = "n" + (i % 10);
            answers.add(pool.submit(() -> post(app.port(), "bind", bindArgs(p, node))));
        }
        int ok = 0;
        for (Future<String> f : answers) {
            String error = JSON.readTree(f.get()).get("Error").asText();
            if (error.isEmpty()) {
                ok++;
            } else {
                assertThat(error).contains("no longer fits");
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(80);
        Map<String, Set<String>> devicesByNode = new HashMap<>();
        int annotated = 0;
        for (Pod p : api.client().pods().inNamespace("default").list().getItems()) {
            String a = p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations().get(TangramNames.ANNOTATION_PLACEMENT);
            if (a == null) {
                continue;
            }
            annotated++;
            PlacementDecision d = PlacementDecisionCodec.read(a);
            assertThat(d.podUid()).isEqualTo(p.getMetadata().getUid());
            for (String id : d.containers().getFirst().deviceIds()) {
                assertThat(devicesByNode.computeIfAbsent(d.node(), n -> new HashSet<>()).add(id)).as("device " + id + " given twice").isTrue();
            }
        }
        assertThat(annotated).isEqualTo(80);
        assertThat(devicesByNode).hasSize(10).allSatisfy((node, ids) -> assertThat(ids).hasSize(8));
        assertThat(api.client().bindings().inNamespace("default").list().getItems()).hasSize(80);
    }

    @Test
    void aGangIsPlacedWholeThroughFilterAndBindOnTwoNodes() throws Exception {
        Pod m0 = api.client().pods().inNamespace("default").resource(KubeFixtures.gangPod("w0", "train", 2, 8)).create();
        Pod m1 = api.client().pods().inNamespace("default").resource(KubeFixtures.gangPod("w1", "train", 2, 8)).create();
        app = startApp();
        await().until(() -> app.state().figures().pods() == 2);
        List<String> all = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9");
        var f0 = JSON.readTree(post(app.port(), "filter", Map.of("Pod", m0, "NodeNames", all)));
        var f1 = JSON.readTree(post(app.port(), "filter", Map.of("Pod", m1, "NodeNames", all)));
        assertThat(f0.get("NodeNames")).hasSize(1);
        assertThat(f1.get("NodeNames")).hasSize(1);
        String node0 = f0.get("NodeNames").get(0).asText();
        String node1 = f1.get("NodeNames").get(0).asText();
        assertThat(node0).isNotEqualTo(node1);
        assertThat(f0.get("FailedAndUnresolvableNodes")).hasSize(9);
        var scores = JSON.readTree(post(app.port(), "prioritize", Map.of("Pod", m0, "NodeNames", List.of(node0, node1))));
        assertThat(scores.get(0).get("Score").asInt()).isEqualTo(10);
        assertThat(scores.get(1).get("Score").asInt()).isZero();
        // Another 8-GPU pod sees the reserved nodes as taken.
        var other = JSON.readTree(post(app.port(), "filter", Map.of("Pod", KubeFixtures.gpuPod("solo", 8), "NodeNames", List.of(node0, node1))));
        assertThat(other.get("NodeNames")).isEmpty();
        assertThat(JSON.readTree(post(app.port(), "bind", bindArgs(m0, node0))).get("Error").asText()).isEmpty();
        assertThat(JSON.readTree(post(app.port(), "bind", bindArgs(m1, node1))).get("Error").asText()).isEmpty();
        assertThat(api.client().pods().inNamespace("default").withName("w1").get().getMetadata().getAnnotations())
                .containsKey(TangramNames.ANNOTATION_PLACEMENT);
    }

    @Test
    void ofTwoReplicasOnlyTheLeaseHolderBinds() throws Exception {
        Pod p = api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("ha", 1)).create();
        ExtenderConfig ha = ExtenderConfigLoader.parse("http: {host: 127.0.0.1, port: 0}\n"
                + "leaderElection: {enabled: true, namespace: default, name: tangram-extender, leaseDuration: 2s}\n", "test");
        try (ExtenderApp a = ExtenderApp.start(ha, Optional.of(api.client()), Clock.systemUTC(), "replica-a");
             ExtenderApp b = ExtenderApp.start(ha, Optional.of(api.client()), Clock.systemUTC(), "replica-b")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.synced() && b.synced()
                    && (a.leadership().orElseThrow().leading() || b.leadership().orElseThrow().leading()));
            ExtenderApp leader = a.leadership().orElseThrow().leading() ? a : b;
            ExtenderApp follower = leader == a ? b : a;
            assertThat(follower.leadership().orElseThrow().leading()).isFalse();
            await().until(() -> follower.state().figures().pods() == 1 && leader.state().figures().pods() == 1);
            String refused = JSON.readTree(post(follower.port(), "bind", bindArgs(p, "n0"))).get("Error").asText();
            assertThat(refused).contains("is not the leader");
            assertThat(JSON.readTree(post(leader.port(), "bind", bindArgs(p, "n0"))).get("Error").asText()).isEmpty();
        }
    }

    @Test
    void podsOfAPodGroupAreAGangOfItsMinMember() throws Exception {
        api.client().apiextensions().v1().customResourceDefinitions().resource(new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("podgroups.scheduling.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("scheduling.x-k8s.io").withScope("Namespaced")
                .withNewNames().withKind("PodGroup").withPlural("podgroups").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion().endSpec().build()).create();
        api.client().genericKubernetesResources("scheduling.x-k8s.io/v1alpha1", "PodGroup").inNamespace("default")
                .resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder().withApiVersion("scheduling.x-k8s.io/v1alpha1")
                        .withKind("PodGroup").withNewMetadata().withName("pg").withNamespace("default").endMetadata()
                        .addToAdditionalProperties("spec", Map.of("minMember", 11)).build()).create();
        Pod m0 = api.client().pods().inNamespace("default").resource(KubeFixtures.pod("pg-0", TangramNames.RESOURCE_GPU, 8,
                Map.of(TangramNames.LABEL_POD_GROUP, "pg"))).create();
        app = startApp();
        await().until(() -> app.state().figures().pods() == 1);
        // minMember 11 x 8 GPUs does not fit 10 nodes of 8: the group is rejected whole.
        var f = JSON.readTree(post(app.port(), "filter", Map.of("Pod", m0, "NodeNames", List.of("n0", "n1"))));
        assertThat(f.get("NodeNames")).isEmpty();
        assertThat(f.get("FailedAndUnresolvableNodes").get("n0").asText()).contains("gang default/podgroup/pg cannot be placed whole");
    }

    @Test
    void followingKubeSchedulersLeaseTheReplicaNextToTheActiveSchedulerBinds() throws Exception {
        Pod p = api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("follow", 1)).create();
        api.client().leases().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata().withName("tangram-scheduler").withNamespace("default").endMetadata()
                .withNewSpec().withHolderIdentity("pod-a_4f2c").withLeaseDurationSeconds(15)
                .withRenewTime(java.time.ZonedDateTime.now()).endSpec().build()).create();
        ExtenderConfig follow = ExtenderConfigLoader.parse("http: {host: 127.0.0.1, port: 0}\n"
                + "leaderElection: {enabled: true, followSchedulerLease: default/tangram-scheduler}\n", "test");
        try (ExtenderApp a = ExtenderApp.start(follow, Optional.of(api.client()), Clock.systemUTC(), "pod-a_x", "pod-a");
             ExtenderApp b = ExtenderApp.start(follow, Optional.of(api.client()), Clock.systemUTC(), "pod-b_y", "pod-b")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.synced() && b.synced() && a.leadership().orElseThrow().leading());
            assertThat(b.leadership().orElseThrow().leading()).isFalse();
            await().until(() -> b.state().figures().pods() == 1);
            assertThat(JSON.readTree(post(b.port(), "bind", bindArgs(p, "n0"))).get("Error").asText())
                    .contains("does not sit next to the active kube-scheduler").contains("pod-a_4f2c");
            // The scheduler in pod-b takes over: so does its extender.
            api.client().leases().inNamespace("default").withName("tangram-scheduler").edit(l -> {
                l.getSpec().setHolderIdentity("pod-b_9e1d");
                l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
                return l;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> b.leadership().orElseThrow().leading() && !a.leadership().orElseThrow().leading());
            assertThat(JSON.readTree(post(b.port(), "bind", bindArgs(p, "n0"))).get("Error").asText()).isEmpty();
        }
    }

    @Test
    void aRestartedExtenderRebuildsDeviceUsageFromTheAnnotations() throws Exception {
        Pod p = api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("big", 8)).create();
        app = startApp();
        await().until(() -> app.state().figures().pods() == 1);
        assertThat(JSON.readTree(post(app.port(), "bind", bindArgs(p, "n3"))).get("Error").asText()).isEmpty();
        app.close();

        app = startApp();
        await().until(() -> app.state().snapshot().node("n3").flatMap(e -> e.view()).map(v -> v.wholeFreeGpus()).orElse(-1L) == 0L);
        Pod next = KubeFixtures.gpuPod("next", 8);
        var answer = JSON.readTree(post(app.port(), "filter", Map.of("Pod", next, "NodeNames", List.of("n3", "n4"))));
        assertThat(answer.get("NodeNames")).hasSize(1);
        assertThat(answer.get("NodeNames").get(0).asText()).isEqualTo("n4");
        assertThat(answer.get("FailedNodes").get("n3").asText()).contains("needs 8 whole GPUs, 0 free");
    }

    @Test
    void withTheApiGoneFilterAnswersFromTheCacheAndBindFailsChangingNothing() throws Exception {
        Pod p = api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("lonely", 2)).create();
        app = startApp();
        await().until(() -> app.state().figures().pods() == 1);
        api.stopServer();
        var filter = JSON.readTree(post(app.port(), "filter", Map.of("Pod", p, "NodeNames", List.of("n0", "n1"))));
        assertThat(filter.get("NodeNames")).hasSize(2);
        var prioritize = JSON.readTree(post(app.port(), "prioritize", Map.of("Pod", p, "NodeNames", List.of("n0", "n1"))));
        assertThat(prioritize).hasSize(2);
        String error = JSON.readTree(post(app.port(), "bind", bindArgs(p, "n0"))).get("Error").asText();
        assertThat(error).isNotEmpty();
        assertThat(app.state().figures().assumedDecisions()).isZero();
        assertThat(app.state().snapshot().node("n0").orElseThrow().view().orElseThrow().wholeFreeGpus()).isEqualTo(8);
    }
}
