package dev.tangram.deviceplugin.http;

import io.javalin.Javalin;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /metrics}, {@code /healthz} and {@code /readyz} on one small Javalin server. */
public final class HttpEndpoints implements AutoCloseable {
    private final Javalin app;

    /**
     * @param metrics  the Prometheus text
     * @param alive    process and probe alive
     * @param ready    every resource registered
     * @param whyNot   a line saying what is missing, for a 503
     */
    public HttpEndpoints(Supplier<String> metrics, BooleanSupplier alive, BooleanSupplier ready, Supplier<String> whyNot) {
        QueuedThreadPool pool = new QueuedThreadPool(4, 1, 60_000);
        pool.setName("tangram-http");
        pool.setDaemon(true);
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jetty.threadPool = pool;
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
        app.start(port);
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
