package dev.tangram.deviceplugin.grpc;

import dev.tangram.deviceplugin.allocation.ContainerAllocation;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.proto.deviceplugin.v1beta1.CDIDevice;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.Device;
import dev.tangram.proto.deviceplugin.v1beta1.DeviceSpec;
import dev.tangram.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.tangram.proto.deviceplugin.v1beta1.Mount;
import dev.tangram.proto.deviceplugin.v1beta1.NUMANode;
import dev.tangram.proto.deviceplugin.v1beta1.TopologyInfo;

/** Domain values to kubelet wire messages, at the border of the gRPC package. */
final class ProtoTranslation {
    private ProtoTranslation() {
    }

    static ListAndWatchResponse devices(PluginResource resource) {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        for (AdvertisedDevice d : resource.devices()) {
            Device.Builder device = Device.newBuilder().setID(d.id()).setHealth(d.health().kubeletValue());
            if (d.numaNode() >= 0) {
                device.setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(d.numaNode())));
            }
            b.addDevices(device);
        }
        return b.build();
    }

    static ContainerAllocateResponse allocation(ContainerAllocation a) {
        ContainerAllocateResponse.Builder b = ContainerAllocateResponse.newBuilder();
        b.putAllEnvs(a.envs());
        b.putAllAnnotations(a.annotations());
        for (ContainerAllocation.Mount m : a.mounts()) {
            b.addMounts(Mount.newBuilder().setContainerPath(m.containerPath()).setHostPath(m.hostPath()).setReadOnly(m.readOnly()));
        }
        for (ContainerAllocation.DeviceNode d : a.devices()) {
            b.addDevices(DeviceSpec.newBuilder().setContainerPath(d.containerPath()).setHostPath(d.hostPath()).setPermissions(d.permissions()));
        }
        for (String name : a.cdiDevices()) {
            b.addCdiDevices(CDIDevice.newBuilder().setName(name));
        }
        return b.build();
    }
}
