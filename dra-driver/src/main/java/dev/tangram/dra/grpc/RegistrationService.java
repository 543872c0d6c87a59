package dev.tangram.dra.grpc;

import dev.tangram.proto.pluginregistration.InfoRequest;
import dev.tangram.proto.pluginregistration.PluginInfo;
import dev.tangram.proto.pluginregistration.RegistrationGrpc;
import dev.tangram.proto.pluginregistration.RegistrationStatus;
import dev.tangram.proto.pluginregistration.RegistrationStatusResponse;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The kubelet's plugin watcher calls GetInfo on the registration socket, then tells the result. */
public final class RegistrationService extends RegistrationGrpc.RegistrationImplBase {
    public static final String PLUGIN_TYPE = "DRAPlugin";
    /** In the order the kubelet walks them: it takes the first it supports. */
    public static final List<String> SUPPORTED_VERSIONS = List.of("v1.DRAPlugin", "v1beta1.DRAPlugin");
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationService.class);

    private final String driver;
    private final String endpoint;
    private final AtomicReference<RegistrationStatus> last = new AtomicReference<>();

    public RegistrationService(String driver, String endpoint) {
        this.driver = driver;
        this.endpoint = endpoint;
    }

    @Override
    public void getInfo(InfoRequest request, StreamObserver<PluginInfo> response) {
        response.onNext(PluginInfo.newBuilder().setType(PLUGIN_TYPE).setName(driver).setEndpoint(endpoint)
                .addAllSupportedVersions(SUPPORTED_VERSIONS).build());
        response.onCompleted();
    }

    @Override
    public void notifyRegistrationStatus(RegistrationStatus status, StreamObserver<RegistrationStatusResponse> response) {
        last.set(status);
        if (status.getPluginRegistered()) {
            LOG.info("registered with the kubelet as {}", driver);
        } else {
            LOG.error("the kubelet refused the registration of {}: {}", driver, status.getError());
        }
        response.onNext(RegistrationStatusResponse.getDefaultInstance());
        response.onCompleted();
    }

    /** The kubelet's last word on the registration, if it said anything yet. */
    public Optional<RegistrationStatus> lastStatus() {
        return Optional.ofNullable(last.get());
    }
}
