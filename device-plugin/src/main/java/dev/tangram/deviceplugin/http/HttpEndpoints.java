package dev.tangram.deviceplugin.http;

import io.javalin.Javalin;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /metrics}, {@code /healthz} and {@code /readyz} on one small Javalin server: a pool of at most {@value #MAX_THREADS}
 * threads and one connector with one acceptor and one selector. Jetty's defaults size acceptors and selectors by the
 * node's cores (a 16-core node asked for 4 threads of a pool of 4, and the plugin died at start: docs/hardware.md), so both
 * are fixed here, whatever the node.
 */
public final class HttpEndpoints implements AutoCloseable {
    static final int MAX_THREADS = 4;
    private final Javalin app;
    private volatile int port;

    /**
     * @param metrics  the Prometheus text
     * @param alive    process and probe alive
     * @param ready    every resource registered
     * @param whyNot   a line saying what is missing, for a 503
     */
    public HttpEndpoints(Supplier<String> metrics, BooleanSupplier alive, BooleanSupplier ready, Supplier<String> whyNot) {
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 1, 60_000);
        pool.setName("tangram-http");
        pool.setDaemon(true);
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jetty.threadPool = pool;
            cfg.jetty.addConnector((server, httpConfig) -> {
                ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(httpConfig));
                c.setPort(port);
                return c;
            });
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get()));
        app.get("/healthz", ctx -> {
            boolean ok = alive.getAsBoolean();
            ctx.status(ok ? 200 : 503).result(ok ? "ok\n" : "probe not answering\n");
        });
        app.get("/readyz", ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.status(ok ? 200 : 503).result(ok ? "ready\n" : whyNot.get() + "\n");
        });
    }

    /** Starts on {@code port} (0 = any free port); answers the port bound. */
    public int start(int port) {
        this.port = port;
        app.start();
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
