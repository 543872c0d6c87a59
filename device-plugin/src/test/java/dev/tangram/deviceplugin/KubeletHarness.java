package dev.tangram.deviceplugin;

import dev.tangram.deviceplugin.grpc.UnixSockets;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.tangram.proto.deviceplugin.v1beta1.Empty;
import dev.tangram.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.tangram.proto.deviceplugin.v1beta1.RegisterRequest;
import dev.tangram.proto.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Plays the kubelet: serves {@code Registration} on {@code kubelet.sock} in a temporary directory and, like the kubelet, calls
 * {@code GetDevicePluginOptions} back on the plugin's socket inside {@code Register} (failing the registration if that
 * fails), then watches the plugin's devices over {@code ListAndWatch}. {@link #restart()} behaves like a kubelet restart:
 * every socket in the directory is deleted and {@code kubelet.sock} is created anew.
 */
public final class KubeletHarness implements AutoCloseable {
    private final Path dir;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, List<dev.tangram.proto.deviceplugin.v1beta1.Device>> devices = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> registrations = new ConcurrentHashMap<>();
    private final Map<String, Boolean> preferredAvailable = new ConcurrentHashMap<>();
    private final Map<String, String> streamErrors = new ConcurrentHashMap<>();
    private Server server;

    /** The last error a ListAndWatch stream ended with, per resource (for diagnostics). */
    public Map<String, String> streamErrors() {
        return streamErrors;
    }

    public KubeletHarness() throws IOException {
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "dp");
        start();
    }

    public Path dir() {
        return dir;
    }

    private void start() throws IOException {
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(dir.resolve("kubelet.sock").toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(UnixSockets.eventLoop())
                .workerEventLoopGroup(UnixSockets.eventLoop())
                .addService(new RegistrationGrpc.RegistrationImplBase() {
                    @Override
                    public void register(RegisterRequest request, StreamObserver<Empty> response) {
                        onRegister(request, response);
                    }
                })
                .build().start();
    }

    private void onRegister(RegisterRequest request, StreamObserver<Empty> response) {
        if (!"v1beta1".equals(request.getVersion()) || !request.getResourceName().contains("/")) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("bad registration " + request).asRuntimeException());
            return;
        }
        String resource = request.getResourceName();
        ManagedChannel channel = UnixSockets.channel(dir.resolve(request.getEndpoint()));
        try {
            var options = DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getDevicePluginOptions(Empty.getDefaultInstance());
            preferredAvailable.put(resource, options.getGetPreferredAllocationAvailable());
        } catch (RuntimeException e) {
            channel.shutdownNow();
            response.onError(Status.UNAVAILABLE.withDescription("plugin did not answer GetDevicePluginOptions: " + e).asRuntimeException());
            return;
        }
        ManagedChannel old = channels.put(resource, channel);
        if (old != null) {
            old.shutdownNow();
        }
        registrations.computeIfAbsent(resource, k -> new AtomicInteger()).incrementAndGet();
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
        // like the kubelet, watch in the background: outside the Register call's context, which ends with it
        io.grpc.Context.ROOT.run(() -> DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(ListAndWatchResponse value) {
                devices.put(resource, value.getDevicesList());
            }

            @Override
            public void onError(Throwable t) {
                streamErrors.put(resource, t.toString());
            }

            @Override
            public void onCompleted() {
            }
        }));
    }

    public int registrations(String resource) {
        AtomicInteger n = registrations.get(resource);
        return n == null ? 0 : n.get();
    }

    public Map<String, AtomicInteger> registrations() {
        return registrations;
    }

    /** The latest device list the plugin streamed for a resource (empty before the first). */
    public List<dev.tangram.proto.deviceplugin.v1beta1.Device> devices(String resource) {
        return devices.getOrDefault(resource, List.of());
    }

    public long unhealthy(String resource) {
        return devices(resource).stream().filter(d -> d.getHealth().equals("Unhealthy")).count();
    }

    public boolean preferredAllocationAvailable(String resource) {
        return preferredAvailable.getOrDefault(resource, false);
    }

    public DevicePluginGrpc.DevicePluginBlockingStub plugin(String resource) {
        ManagedChannel c = channels.get(resource);
        if (c == null) {
            throw new IllegalStateException(resource + " is not registered");
        }
        return DevicePluginGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Ends the ListAndWatch stream of a resource as a kubelet losing its endpoint would, without registering anything. */
    public void dropStream(String resource) {
        ManagedChannel c = channels.remove(resource);
        devices.remove(resource);
        if (c != null) {
            c.shutdownNow();
        }
    }

    /** Stops, deletes every socket in the directory (as a starting kubelet does), and serves kubelet.sock again. */
    public void restart() throws IOException {
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
        devices.clear();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".sock")).toList()) {
                Files.deleteIfExists(p);
            }
        }
        start();
    }

    @Override
    public void close() throws IOException {
        server.shutdownNow();
        channels.values().forEach(ManagedChannel::shutdownNow);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
