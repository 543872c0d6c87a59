package dev.tangram.dra.it;

import dev.tangram.dra.grpc.UnixSocketChannels;
import dev.tangram.proto.dra.v1.Claim;
import dev.tangram.proto.dra.v1.DRAPluginGrpc;
import dev.tangram.proto.dra.v1.NodePrepareResourcesRequest;
import dev.tangram.proto.dra.v1.NodePrepareResourcesResponse;
import dev.tangram.proto.dra.v1.NodeUnprepareResourcesRequest;
import dev.tangram.proto.dra.v1.NodeUnprepareResourcesResponse;
import dev.tangram.proto.pluginregistration.InfoRequest;
import dev.tangram.proto.pluginregistration.PluginInfo;
import dev.tangram.proto.pluginregistration.RegistrationGrpc;
import dev.tangram.proto.pluginregistration.RegistrationStatus;
import io.grpc.ManagedChannel;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet over the real sockets: the plugin watcher's GetInfo / NotifyRegistrationStatus on the registration
 * socket, then NodePrepareResources / NodeUnprepareResources on the endpoint GetInfo named.
 */
public final class KubeletHarness implements AutoCloseable {
    private final Path kubeletDir;
    private ManagedChannel registration;
    private ManagedChannel dra;
    private PluginInfo info;

    public KubeletHarness(Path kubeletDir) {
        this.kubeletDir = kubeletDir;
    }

    public Path registrationSocket() {
        return kubeletDir.resolve("plugins_registry").resolve("gpu.tangram.dev-reg.sock");
    }

    /** GetInfo, then NotifyRegistrationStatus(registered); answers what GetInfo said. */
    public PluginInfo register() {
        close();
        registration = UnixSocketChannels.open(registrationSocket());
        var stub = RegistrationGrpc.newBlockingStub(registration).withDeadlineAfter(10, TimeUnit.SECONDS);
        info = stub.getInfo(InfoRequest.getDefaultInstance());
        stub.notifyRegistrationStatus(RegistrationStatus.newBuilder().setPluginRegistered(true).build());
        dra = UnixSocketChannels.open(Path.of(info.getEndpoint()));
        return info;
    }

    public DRAPluginGrpc.DRAPluginBlockingStub v1() {
        return DRAPluginGrpc.newBlockingStub(dra).withDeadlineAfter(45, TimeUnit.SECONDS);
    }

    public dev.tangram.proto.dra.v1beta1.DRAPluginGrpc.DRAPluginBlockingStub v1beta1() {
        return dev.tangram.proto.dra.v1beta1.DRAPluginGrpc.newBlockingStub(dra).withDeadlineAfter(45, TimeUnit.SECONDS);
    }

    public static Claim claim(String namespace, String uid, String name) {
        return Claim.newBuilder().setNamespace(namespace).setUid(uid).setName(name).build();
    }

    public NodePrepareResourcesResponse prepare(Claim... claims) {
        return v1().nodePrepareResources(NodePrepareResourcesRequest.newBuilder().addAllClaims(List.of(claims)).build());
    }

    public NodeUnprepareResourcesResponse unprepare(Claim... claims) {
        return v1().nodeUnprepareResources(NodeUnprepareResourcesRequest.newBuilder().addAllClaims(List.of(claims)).build());
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.shutdownNow();
            registration = null;
        }
        if (dra != null) {
            dra.shutdownNow();
            dra = null;
        }
    }
}
