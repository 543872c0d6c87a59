package dev.tangram.demo.grpc;

import dev.tangram.deviceplugin.grpc.UnixSockets;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.Device;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.tangram.proto.deviceplugin.v1beta1.Empty;
import dev.tangram.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One node's kubelet, as far as devices go, over the real device-plugin protocol on Unix sockets in a temporary directory:
 * serves {@code Registration} on {@code kubelet.sock}, calls {@code GetDevicePluginOptions} inside {@code Register},
 * watches {@code ListAndWatch}, and for a container asking N devices of a resource calls {@code GetPreferredAllocation}
 * with the healthy devices no container holds yet, then {@code Allocate} — keeping the device manager's record of what is
 * held, so a device is never given twice.
 */
public final class GrpcKubeletSimulator implements AutoCloseable {
    private final Path dir;
    private final Server server;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, Boolean> preferredAvailable = new ConcurrentHashMap<>();
    private final Map<String, List<Device>> devices = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
    private final BiConsumer<String, Integer> onDevices;

    /** @param onDevices told (resource, device count) at each registration's first device list */
    public GrpcKubeletSimulator(Path dir, BiConsumer<String, Integer> onDevices) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.onDevices = onDevices;
        this.server = NettyServerBuilder.forAddress(new DomainSocketAddress(dir.resolve("kubelet.sock").toString()))
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

    public Path dir() {
        return dir;
    }

    private void onRegister(RegisterRequest request, StreamObserver<Empty> response) {
        if (!"v1beta1".equals(request.getVersion()) || !request.getResourceName().contains("/") || request.getEndpoint().isBlank()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("bad registration: version '" + request.getVersion()
                    + "', resource '" + request.getResourceName() + "', endpoint '" + request.getEndpoint() + "'").asRuntimeException());
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
            response.onError(Status.UNAVAILABLE.withDescription("plugin did not answer GetDevicePluginOptions: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        ManagedChannel old = channels.put(resource, channel);
        if (old != null) {
            old.shutdownNow();
        }
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
        io.grpc.Context.ROOT.run(() -> DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(), new StreamObserver<>() {
            private boolean first = true;

            @Override
            public void onNext(ListAndWatchResponse value) {
                devices.put(resource, value.getDevicesList());
                if (first) {
                    first = false;
                    onDevices.accept(resource, value.getDevicesCount());
                }
            }

            @Override
            public void onError(Throwable t) {
                devices.remove(resource);
            }

            @Override
            public void onCompleted() {
                devices.remove(resource);
            }
        }));
    }

    /** Resource name → devices advertised, as the node's capacity would show. */
    public Map<String, Integer> capacity() {
        Map<String, Integer> c = new TreeMap<>();
        devices.forEach((r, d) -> c.put(r, d.size()));
        return c;
    }

    public boolean registered(String resource) {
        return devices.containsKey(resource);
    }

    /** The devices of a resource a new container may get: advertised, healthy, and held by no container. */
    public synchronized List<String> available(String resource) {
        Set<String> taken = held.getOrDefault(resource, Set.of());
        return devices.getOrDefault(resource, List.of()).stream().filter(d -> d.getHealth().equals("Healthy"))
                .map(Device::getID).filter(Predicate.not(taken::contains)).sorted().toList();
    }

    /** What the plugin would pick for a container asking {@code size} devices of {@code resource} now (no side effect on the kubelet). */
    public List<String> preferred(String resource, int size) {
        List<String> available = available(resource);
        if (!preferredAvailable.getOrDefault(resource, false)) {
            return available.subList(0, Math.min(size, available.size()));
        }
        return stub(resource).getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(available).setAllocationSize(size))
                .build()).getContainerResponses(0).getDeviceIDsList();
    }

    /**
     * Allocates {@code ids} of {@code resource} to one container, as the kubelet does once it has chosen them.
     *
     * @throws IllegalStateException when an id is not available (never advertised, unhealthy, or already held)
     */
    public synchronized ContainerGrant allocate(String resource, List<String> ids) {
        List<String> available = available(resource);
        List<String> missing = ids.stream().filter(Predicate.not(available::contains)).toList();
        if (!missing.isEmpty() || ids.isEmpty() || new LinkedHashSet<>(ids).size() != ids.size()) {
            throw new IllegalStateException("cannot allocate " + ids + " of " + resource + ": not available " + missing);
        }
        AllocateResponse r = stub(resource).allocate(AllocateRequest.newBuilder()
                .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids)).build());
        held.computeIfAbsent(resource, k -> ConcurrentHashMap.newKeySet()).addAll(ids);
        ContainerAllocateResponse c = r.getContainerResponses(0);
        List<String> deviceNodes = new ArrayList<>();
        c.getDevicesList().forEach(d -> deviceNodes.add(d.getHostPath()));
        List<String> cdi = new ArrayList<>();
        c.getCdiDevicesList().forEach(d -> cdi.add(d.getName()));
        return new ContainerGrant(resource, List.copyOf(ids), new TreeMap<>(c.getEnvsMap()), deviceNodes, cdi);
    }

    /** Every device id held, per resource. */
    public synchronized Map<String, Set<String>> held() {
        Map<String, Set<String>> copy = new TreeMap<>();
        held.forEach((r, s) -> copy.put(r, Set.copyOf(s)));
        return copy;
    }

    private DevicePluginGrpc.DevicePluginBlockingStub stub(String resource) {
        ManagedChannel c = channels.get(resource);
        if (c == null) {
            throw new IllegalStateException(resource + " is not registered with this kubelet");
        }
        return DevicePluginGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.shutdownNow();
        channels.values().forEach(ManagedChannel::shutdownNow);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** What one container got from {@code Allocate}: its devices, environment, device nodes and CDI names. */
    public record ContainerGrant(String resource, List<String> deviceIds, Map<String, String> env, List<String> deviceNodes,
                                 List<String> cdiDevices) {
    }
}
