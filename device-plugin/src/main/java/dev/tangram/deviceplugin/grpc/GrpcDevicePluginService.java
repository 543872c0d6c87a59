package dev.tangram.deviceplugin.grpc;

import dev.tangram.deviceplugin.NodeState;
import dev.tangram.deviceplugin.allocation.AllocationException;
import dev.tangram.deviceplugin.allocation.AllocationResponder;
import dev.tangram.deviceplugin.allocation.ContainerAllocation;
import dev.tangram.deviceplugin.allocation.DecisionMatcher;
import dev.tangram.deviceplugin.allocation.PreferredAllocator;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginOptions;
import dev.tangram.proto.deviceplugin.v1beta1.Empty;
import dev.tangram.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.tangram.proto.deviceplugin.v1beta1.PreStartContainerRequest;
import dev.tangram.proto.deviceplugin.v1beta1.PreStartContainerResponse;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The five DevicePlugin RPCs for one resource. Every call reads the current {@link NodeState} snapshot; ListAndWatch streams
 * the full device list again whenever that resource's devices or health change. A stream the kubelet drops is logged and
 * reported through {@code onStreamLost} (the supervisor re-registers). GetPreferredAllocation never fails.
 */
public final class GrpcDevicePluginService extends DevicePluginGrpc.DevicePluginImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcDevicePluginService.class);

    private final String resourceName;
    private final NodeState state;
    private final DecisionMatcher decisions;
    private final AllocationResponder responder;
    private final SharedPolicy policy;
    private final AllocationObserver observer;
    private final Runnable onStreamLost;
    private final Set<ServerCallStreamObserver<ListAndWatchResponse>> streams = ConcurrentHashMap.newKeySet();

    public GrpcDevicePluginService(String resourceName, NodeState state, DecisionMatcher decisions, AllocationResponder responder,
                                   SharedPolicy policy, AllocationObserver observer, Runnable onStreamLost) {
        this.resourceName = resourceName;
        this.state = state;
        this.decisions = decisions;
        this.responder = responder;
        this.policy = policy;
        this.observer = observer;
        this.onStreamLost = onStreamLost;
        state.addListener(snapshot -> publish());
    }

    public String resourceName() {
        return resourceName;
    }

    /** Ends every stream without reporting them lost (the plugin is stopping or restarting this server). */
    public void stop() {
        List<ServerCallStreamObserver<ListAndWatchResponse>> open = new ArrayList<>(streams);
        streams.clear();
        for (ServerCallStreamObserver<ListAndWatchResponse> s : open) {
            try {
                s.onCompleted();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    public int openStreams() {
        return streams.size();
    }

    private PluginResource resource() {
        return state.snapshot().resource(resourceName).orElse(new PluginResource(resourceName, List.of()));
    }

    @Override
    public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> response) {
        response.onNext(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true).setPreStartRequired(false).build());
        response.onCompleted();
    }

    @Override
    public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> response) {
        ServerCallStreamObserver<ListAndWatchResponse> stream = (ServerCallStreamObserver<ListAndWatchResponse>) response;
        stream.setOnCancelHandler(() -> {
            if (streams.remove(stream)) {
                LOG.info("ListAndWatch stream of {} ended by the kubelet ({} left)", resourceName, streams.size());
                onStreamLost.run();
            }
        });
        streams.add(stream);
        synchronized (stream) {
            stream.onNext(ProtoTranslation.devices(resource()));
        }
        LOG.info("kubelet is watching {} ({} devices)", resourceName, resource().devices().size());
    }

    private void publish() {
        if (streams.isEmpty()) {
            return;
        }
        ListAndWatchResponse message = ProtoTranslation.devices(resource());
        for (ServerCallStreamObserver<ListAndWatchResponse> s : streams) {
            synchronized (s) {
                try {
                    if (!s.isCancelled()) {
                        s.onNext(message);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not send {} devices to the kubelet: {}", resourceName, e.toString());
                }
            }
        }
    }

    @Override
    public void getPreferredAllocation(PreferredAllocationRequest request, StreamObserver<PreferredAllocationResponse> response) {
        PreferredAllocationResponse.Builder out = PreferredAllocationResponse.newBuilder();
        for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
            List<String> available = c.getAvailableDeviceIDsList();
            List<String> must = c.getMustIncludeDeviceIDsList();
            int size = c.getAllocationSize();
            PreferredAllocator.Pick pick;
            try {
                NodeState.Snapshot snapshot = state.snapshot();
                PluginResource resource = snapshot.resource(resourceName).orElse(new PluginResource(resourceName, List.of()));
                pick = new PreferredAllocator(resource, snapshot.scorer(), decisions, policy).choose(available, must, size);
            } catch (RuntimeException e) {
                LOG.warn("GetPreferredAllocation for {} failed internally ({}); answering a simple pick", resourceName, e.toString());
                List<String> ids = new ArrayList<>(must);
                for (String id : available) {
                    if (ids.size() >= size) {
                        break;
                    }
                    if (!ids.contains(id)) {
                        ids.add(id);
                    }
                }
                pick = new PreferredAllocator.Pick(ids, "fallback");
            }
            LOG.debug("preferred {} of {} for {}: {} ({})", size, available.size(), resourceName, pick.deviceIds(), pick.how());
            out.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(pick.deviceIds()));
        }
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> response) {
        AllocateResponse.Builder out = AllocateResponse.newBuilder();
        PluginResource resource = resource();
        try {
            List<List<String>> granted = new ArrayList<>();
            for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
                ContainerAllocation a = responder.respond(resource, c.getDevicesIdsList());
                out.addContainerResponses(ProtoTranslation.allocation(a));
                granted.add(c.getDevicesIdsList());
            }
            response.onNext(out.build());
            response.onCompleted();
            for (List<String> ids : granted) {
                try {
                    observer.allocated(resourceName, ids);
                } catch (RuntimeException e) {
                    LOG.warn("after Allocate of {} {}: {}", resourceName, ids, e.toString());
                }
            }
        } catch (AllocationException e) {
            LOG.warn("Allocate for {} refused: {}", resourceName, e.getMessage());
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("Allocate for {} failed", resourceName, e);
            response.onError(Status.INTERNAL.withDescription("Allocate for " + resourceName + " failed: " + e).asRuntimeException());
        }
    }

    @Override
    public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> response) {
        response.onNext(PreStartContainerResponse.getDefaultInstance());
        response.onCompleted();
    }
}
