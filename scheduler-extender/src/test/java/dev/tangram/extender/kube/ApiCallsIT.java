package dev.tangram.extender.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.access.ApiCall;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.config.ExtenderConfig;
import dev.tangram.extender.config.ExtenderConfigLoader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keeps {@link ApiCalls} honest: the extender runs against fabric8's mock API server, binds a pod, and the requests the server
 * received, read as RBAC (group, resource, verb), must be exactly {@link ApiCalls#of} for its configuration.
 */
@EnableKubernetesMockClient(crud = true)
class ApiCallsIT {
    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private static int pods;
    private Pod pod;

    @BeforeEach
    void cluster() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("podgroups.scheduling.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("scheduling.x-k8s.io").withScope("Namespaced")
                .withNewNames().withKind("PodGroup").withPlural("podgroups").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion().endSpec().build()).createOr(c -> c.update());
        client.nodes().resource(KubeFixtures.dgx("n0")).createOr(c -> c.update());
        client.pods().inAnyNamespace().delete();
        client.bindings().inAnyNamespace().delete();
        pod = client.pods().inNamespace("default").resource(KubeFixtures.gpuPod("trainer-" + (++pods), 2)).create();
        drain();
    }

    @Test
    void followingTheSchedulersLeaseTheExtenderMakesExactlyTheRegisteredCalls() throws Exception {
        client.leases().inNamespace("kube-system").resource(new LeaseBuilder()
                .withNewMetadata().withName("tangram-scheduler").withNamespace("kube-system").endMetadata()
                .withNewSpec().withHolderIdentity("pod-a_4f2c").withLeaseDurationSeconds(3600).withRenewTime(ZonedDateTime.now()).endSpec()
                .build()).createOr(c -> c.update());
        drain();
        ExtenderConfig config = ExtenderConfigLoader.parse("""
                http: {host: 127.0.0.1, port: 0}
                leaderElection: {enabled: true, followSchedulerLease: kube-system/tangram-scheduler}
                """, "test");

        Set<ApiCall> seen = runAndBind(config, "pod-a");

        assertThat(seen).containsExactlyInAnyOrderElementsOf(ApiCalls.of(config));
        assertThat(ApiCalls.leaseNamespace(config)).contains("kube-system");
    }

    @Test
    void withALeaseOfItsOwnTheExtenderMakesExactlyTheRegisteredCalls() throws Exception {
        ExtenderConfig config = ExtenderConfigLoader.parse("""
                http: {host: 127.0.0.1, port: 0}
                leaderElection: {enabled: true, namespace: tangram-system, name: tangram-extender, leaseDuration: 2s}
                """, "test");

        Set<ApiCall> seen = runAndBind(config, "pod-a");

        assertThat(seen).containsExactlyInAnyOrderElementsOf(ApiCalls.of(config));
        assertThat(ApiCalls.leaseNamespace(config)).contains("tangram-system");
    }

    /** Starts the extender, waits until it leads (and, with its own Lease, has renewed it), binds the pod; the calls it made. */
    private Set<ApiCall> runAndBind(ExtenderConfig config, String hostname) throws Exception {
        Set<ApiCall> seen = new TreeSet<>();
        try (ExtenderApp app = ExtenderApp.start(config, Optional.of(client), Clock.systemUTC(), hostname + "_x", hostname)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> app.synced() && app.leadership().orElseThrow().leading()
                    && app.state().figures().pods() == 1);
            Map<String, Object> args = Map.of("PodName", pod.getMetadata().getName(), "PodNamespace", "default", "PodUID", pod.getMetadata().getUid(), "Node", "n0");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/bind"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(args))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(r.body()).get("Error").asText()).isEmpty();
            seen.addAll(drain());
            if (config.leaderElection().followSchedulerLease().isEmpty()) {
                // the leader renews its Lease every retry period: wait for one renewal to be among the calls seen
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    seen.addAll(drain());
                    return seen.contains(ApiCall.of("coordination.k8s.io", "leases", "patch"));
                });
            }
        }
        seen.addAll(drain());
        return seen;
    }

    /** The requests received since the last drain, as RBAC reads them. */
    private static Set<ApiCall> drain() throws InterruptedException {
        Set<ApiCall> calls = new TreeSet<>();
        RecordedRequest r;
        while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
            calls.add(ApiCall.ofRequest(r.getMethod(), r.getPath()));
        }
        return calls;
    }
}
