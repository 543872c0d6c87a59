package dev.tangram.dra.http;

import io.javalin.Javalin;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /metrics}, {@code /healthz} (the driver calls its own sockets), {@code /readyz}. */
public final class OperationsServer implements AutoCloseable {
    private final Javalin app;

    private OperationsServer(Javalin app) {
        this.app = app;
    }

    /**
     * @param port    0 for any free port
     * @param metrics Prometheus text
     * @param health  empty when healthy, else why not
     * @param ready   whether the driver finished starting
     */
    public static OperationsServer start(int port, Supplier<String> metrics, Supplier<Optional<String>> health,
                                         BooleanSupplier ready) {
        Javalin app = Javalin.create(c -> c.showJavalinBanner = false)
                .get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get()))
                .get("/healthz", ctx -> {
                    Optional<String> problem = health.get();
                    ctx.status(problem.isEmpty() ? 200 : 503).result(problem.orElse("ok"));
                })
                .get("/readyz", ctx -> {
                    boolean ok = ready.getAsBoolean();
                    ctx.status(ok ? 200 : 503).result(ok ? "ready" : "starting");
                });
        app.start(port);
        return new OperationsServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
