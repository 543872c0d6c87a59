package dev.tangram.deviceplugin.http;

import org.eclipse.jetty.util.ProcessorUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoints start whatever the node's core count: Jetty sizes its acceptors and selectors by the cores it sees, and
 * with its defaults the plugin's 4-thread pool was too small on a 16-core GPU node (docs/hardware.md).
 */
class HttpEndpointsOnManyCoresTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 128, 384})
    void servesOnANodeWithThisManyCores(int cores) throws Exception {
        int real = ProcessorUtils.availableProcessors();
        ProcessorUtils.setAvailableProcessors(cores);
        try (HttpEndpoints endpoints = new HttpEndpoints(() -> "tangram_up 1\n", () -> true, () -> false, () -> "not registered")) {
            int port = endpoints.start(0);
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(port, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("not registered\n");
            assertThat(get(port, "/metrics").body()).isEqualTo("tangram_up 1\n");
        } finally {
            ProcessorUtils.setAvailableProcessors(real);
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
