package dev.tangram.extender.kube;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.util.HashMap;

/** fabric8's mock API server in CRUD mode, started and stopped by the test that owns it. */
public final class MockApi implements AutoCloseable {
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    public MockApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).withRequestRetryBackoffInterval(50).endConfig());
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /** Stops the API server: the client's calls fail from now on. */
    public void stopServer() {
        server.destroy();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
