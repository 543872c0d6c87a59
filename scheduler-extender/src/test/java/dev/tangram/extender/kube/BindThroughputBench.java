package dev.tangram.extender.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.config.ExtenderConfigLoader;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bind throughput against fabric8's mock API server (CRUD): N pods of one GPU bound by C parallel clients over HTTP
 * keep-alive, each bind a GET, a merge patch and a Binding create. Prints binds per second. Tagged bench: run with
 * {@code -Dtest=BindThroughputBench -Dtangram.excludedGroups=gpu,docker}.
 */
@Tag("bench")
class BindThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bindsPerSecondAgainstTheMockApiServer() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 50);
        int clients = Integer.getInteger("bench.clients", 16);
        try (MockApi api = new MockApi()) {
            for (int n = 0; n < nodes; n++) {
                api.client().nodes().resource(KubeFixtures.dgx("n" + n)).create();
            }
            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < nodes * 8; i++) {
                pods.add(api.client().pods().inNamespace("default").resource(KubeFixtures.gpuPod("p" + i, 1)).create());
            }
            try (ExtenderApp app = ExtenderApp.start(ExtenderConfigLoader.parse(
                    "http: {host: 127.0.0.1, port: 0}\nleaderElection: {enabled: false}\n", "bench"),
                    Optional.of(api.client()), Clock.systemUTC(), "bench")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.synced() && app.state().figures().pods() == pods.size());
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                long start = System.nanoTime();
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < pods.size(); i++) {
                    Pod p = pods.get(i);
                    String node = "n" + (i % nodes);
                    results.add(pool.submit(() -> {
                        String body = JSON.writeValueAsString(Map.of("PodName", p.getMetadata().getName(), "PodNamespace", "default",
                                "PodUID", p.getMetadata().getUid(), "Node", node));
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/bind"))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && JSON.readTree(r.body()).get("Error").asText().isEmpty();
                    }));
                }
                int ok = 0;
                for (Future<Boolean> f : results) {
                    ok += f.get() ? 1 : 0;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                System.out.printf("BENCH bind: %d binds (%d ok) by %d parallel clients in %.2f s: %.0f binds/s against the mock API server%n",
                        pods.size(), ok, clients, seconds, pods.size() / seconds);
                assertThat(ok).isEqualTo(pods.size());
            }
        }
    }
}
