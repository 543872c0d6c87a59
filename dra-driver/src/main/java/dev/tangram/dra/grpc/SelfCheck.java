package dev.tangram.dra.grpc;

import dev.tangram.proto.dra.v1.DRAPluginGrpc;
import dev.tangram.proto.dra.v1.NodePrepareResourcesRequest;
import dev.tangram.proto.pluginregistration.InfoRequest;
import dev.tangram.proto.pluginregistration.PluginInfo;
import dev.tangram.proto.pluginregistration.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Calls the driver's own sockets as the kubelet would: GetInfo, then an empty NodePrepareResources on the endpoint. */
public final class SelfCheck {
    private final Path registrationSocket;

    public SelfCheck(Path registrationSocket) {
        this.registrationSocket = registrationSocket;
    }

    /** Empty when both answered; else what failed. */
    public Optional<String> run() {
        ManagedChannel reg = UnixSocketChannels.open(registrationSocket);
        try {
            PluginInfo info = RegistrationGrpc.newBlockingStub(reg).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .getInfo(InfoRequest.getDefaultInstance());
            ManagedChannel dra = UnixSocketChannels.open(Path.of(info.getEndpoint()));
            try {
                DRAPluginGrpc.newBlockingStub(dra).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .nodePrepareResources(NodePrepareResourcesRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                return Optional.of("DRA socket " + info.getEndpoint() + ": " + e.getStatus());
            } finally {
                dra.shutdownNow();
            }
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            return Optional.of("registration socket " + registrationSocket + ": " + e.getStatus());
        } finally {
            reg.shutdownNow();
        }
    }
}
