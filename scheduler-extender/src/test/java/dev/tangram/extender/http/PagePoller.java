package dev.tangram.extender.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pass-through HTTP proxy in front of the extender that runs an action just before it forwards the page's second
 * poll of {@code /ui/state.json}: the cluster then changes between two polls of one page load, whatever the browser's
 * timing.
 */
final class PagePoller implements AutoCloseable {
    /** Something to do to the cluster; may throw. */
    @FunctionalInterface
    interface Change {
        void apply() throws Exception;
    }

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String upstream;
    private final Change beforeSecondPoll;
    private final AtomicInteger pageLoads = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    PagePoller(String upstream, Change beforeSecondPoll) throws IOException {
        this.upstream = upstream;
        this.beforeSecondPoll = beforeSecondPoll;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int pageLoads() {
        return pageLoads.get();
    }

    int polls() {
        return polls.get();
    }

    /** The change's or a forward's exception, if one failed. */
    Optional<Exception> failure() {
        return Optional.ofNullable(failure.get());
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals(GpuMapHttp.PAGE)) {
                pageLoads.incrementAndGet();
            }
            if (path.equals(GpuMapHttp.STATE) && polls.incrementAndGet() == 2) {
                beforeSecondPoll.apply();
            }
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI())).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            r.headers().firstValue("Content-Type").ifPresent(t -> ex.getResponseHeaders().add("Content-Type", t));
            r.headers().firstValue("Content-Security-Policy").ifPresent(t -> ex.getResponseHeaders().add("Content-Security-Policy", t));
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            ex.getResponseBody().write(r.body());
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            throw new IOException("forwarding " + ex.getRequestURI() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
