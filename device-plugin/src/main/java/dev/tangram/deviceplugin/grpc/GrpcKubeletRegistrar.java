package dev.tangram.deviceplugin.grpc;

import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginOptions;
import dev.tangram.proto.deviceplugin.v1beta1.RegisterRequest;
import dev.tangram.proto.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Calls the kubelet's {@code Registration.Register} on {@code kubelet.sock}. */
public final class GrpcKubeletRegistrar {
    public static final String API_VERSION = "v1beta1";
    public static final String KUBELET_SOCKET = "kubelet.sock";

    private final Path kubeletSocket;

    public GrpcKubeletRegistrar(Path kubeletDir) {
        this.kubeletSocket = kubeletDir.resolve(KUBELET_SOCKET);
    }

    /** Registers one resource served on {@code socketName}; a failure is an exception (the caller retries). */
    public void register(String resourceName, String socketName) {
        ManagedChannel channel = UnixSockets.channel(kubeletSocket);
        try {
            RegistrationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).register(RegisterRequest.newBuilder()
                    .setVersion(API_VERSION)
                    .setEndpoint(socketName)
                    .setResourceName(resourceName)
                    .setOptions(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true))
                    .build());
        } finally {
            channel.shutdownNow();
        }
    }
}
