package dev.tangram.dra.grpc;

import dev.tangram.dra.checkpoint.DeviceEntry;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.prepare.ClaimPreparer;
import dev.tangram.dra.prepare.PrepareResult;
import dev.tangram.proto.dra.v1.Claim;
import dev.tangram.proto.dra.v1.DRAPluginGrpc;
import dev.tangram.proto.dra.v1.Device;
import dev.tangram.proto.dra.v1.NodePrepareResourceResponse;
import dev.tangram.proto.dra.v1.NodePrepareResourcesRequest;
import dev.tangram.proto.dra.v1.NodePrepareResourcesResponse;
import dev.tangram.proto.dra.v1.NodeUnprepareResourceResponse;
import dev.tangram.proto.dra.v1.NodeUnprepareResourcesRequest;
import dev.tangram.proto.dra.v1.NodeUnprepareResourcesResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin}: translates at the border and lets the preparer decide. */
public final class DraV1Service extends DRAPluginGrpc.DRAPluginImplBase {
    private final ClaimPreparer preparer;

    public DraV1Service(ClaimPreparer preparer) {
        this.preparer = preparer;
    }

    private static List<ClaimRef> refs(List<Claim> claims) {
        return ClaimRequests.validated(claims.stream().map(c -> new ClaimRef(c.getNamespace(), c.getUid(), c.getName())).toList());
    }

    @Override
    public void nodePrepareResources(NodePrepareResourcesRequest request, StreamObserver<NodePrepareResourcesResponse> response) {
        List<ClaimRef> refs;
        try {
            refs = refs(request.getClaimsList());
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        NodePrepareResourcesResponse.Builder out = NodePrepareResourcesResponse.newBuilder();
        for (Map.Entry<String, PrepareResult> e : preparer.prepare(refs).entrySet()) {
            out.putClaims(e.getKey(), switch (e.getValue()) {
                case PrepareResult.Prepared p -> NodePrepareResourceResponse.newBuilder()
                        .addAllDevices(p.devices().stream().map(DraV1Service::device).toList()).build();
                case PrepareResult.Failed f -> NodePrepareResourceResponse.newBuilder().setError(f.error()).build();
            });
        }
        response.onNext(out.build());
        response.onCompleted();
    }

    private static Device device(DeviceEntry d) {
        Device.Builder b = Device.newBuilder().addRequestNames(d.request()).setPoolName(d.pool()).setDeviceName(d.device())
                .addCdiDeviceIds(d.cdiDeviceId());
        if (d.shareId() != null) {
            b.setShareId(d.shareId());
        }
        return b.build();
    }

    @Override
    public void nodeUnprepareResources(NodeUnprepareResourcesRequest request,
                                       StreamObserver<NodeUnprepareResourcesResponse> response) {
        List<ClaimRef> refs;
        try {
            refs = refs(request.getClaimsList());
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        NodeUnprepareResourcesResponse.Builder out = NodeUnprepareResourcesResponse.newBuilder();
        for (Map.Entry<String, Optional<String>> e : preparer.unprepare(refs).entrySet()) {
            out.putClaims(e.getKey(), NodeUnprepareResourceResponse.newBuilder().setError(e.getValue().orElse("")).build());
        }
        response.onNext(out.build());
        response.onCompleted();
    }
}
