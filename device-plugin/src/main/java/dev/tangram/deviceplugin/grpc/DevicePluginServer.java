package dev.tangram.deviceplugin.grpc;

import dev.tangram.core.socket.UnixSocketPath;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.tangram.proto.deviceplugin.v1beta1.Empty;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One resource's gRPC server on its Unix socket in the kubelet directory. */
public final class DevicePluginServer {
    private final GrpcDevicePluginService service;
    private final Path socket;
    private Server server;

    public DevicePluginServer(GrpcDevicePluginService service, Path socket) {
        this.service = service;
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public GrpcDevicePluginService service() {
        return service;
    }

    /**
     * Removes a stale socket, listens, and proves the server answers by calling it once over the socket.
     *
     * @throws IllegalArgumentException when the socket path is too long for a Unix socket ({@link UnixSocketPath})
     */
    public synchronized void start() {
        UnixSocketPath.of(socket);
        stop();
        try {
            Files.deleteIfExists(socket);
            server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(UnixSockets.eventLoop())
                    .workerEventLoopGroup(UnixSockets.eventLoop())
                    .directExecutor() // every handler is short and non-blocking: run it on the event loop, no thread hop
                    .addService(service)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve " + service.resourceName() + " on " + socket + ": " + e.getMessage(), e);
        }
        ManagedChannel channel = UnixSockets.channel(socket);
        try {
            DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).getDevicePluginOptions(Empty.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    public synchronized boolean running() {
        return server != null && !server.isShutdown() && Files.exists(socket);
    }

    public synchronized void stop() {
        if (server != null) {
            service.stop();
            server.shutdownNow();
            try {
                server.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }
}
