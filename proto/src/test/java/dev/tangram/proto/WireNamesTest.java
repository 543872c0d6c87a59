package dev.tangram.proto;

import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.tangram.proto.deviceplugin.v1beta1.RegistrationGrpc;
import dev.tangram.proto.dra.v1.DRAPluginGrpc;
import dev.tangram.proto.drahealth.v1alpha1.DRAResourceHealthGrpc;
import io.grpc.MethodDescriptor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The full gRPC method names the kubelet calls must match byte for byte. */
class WireNamesTest {
    private static String path(MethodDescriptor<?, ?> m) {
        return "/" + m.getFullMethodName();
    }

    @Test
    void devicePluginMethodsHaveTheKubeletNames() {
        assertThat(path(RegistrationGrpc.getRegisterMethod())).isEqualTo("/v1beta1.Registration/Register");
        assertThat(path(DevicePluginGrpc.getGetDevicePluginOptionsMethod())).isEqualTo("/v1beta1.DevicePlugin/GetDevicePluginOptions");
        assertThat(path(DevicePluginGrpc.getListAndWatchMethod())).isEqualTo("/v1beta1.DevicePlugin/ListAndWatch");
        assertThat(path(DevicePluginGrpc.getGetPreferredAllocationMethod())).isEqualTo("/v1beta1.DevicePlugin/GetPreferredAllocation");
        assertThat(path(DevicePluginGrpc.getAllocateMethod())).isEqualTo("/v1beta1.DevicePlugin/Allocate");
        assertThat(path(DevicePluginGrpc.getPreStartContainerMethod())).isEqualTo("/v1beta1.DevicePlugin/PreStartContainer");
        assertThat(DevicePluginGrpc.getListAndWatchMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
    }

    @Test
    void pluginRegistrationUsesTheUnversionedPackage() {
        assertThat(path(dev.tangram.proto.pluginregistration.RegistrationGrpc.getGetInfoMethod()))
                .isEqualTo("/pluginregistration.Registration/GetInfo");
        assertThat(path(dev.tangram.proto.pluginregistration.RegistrationGrpc.getNotifyRegistrationStatusMethod()))
                .isEqualTo("/pluginregistration.Registration/NotifyRegistrationStatus");
    }

    @Test
    void draMethodsHaveTheirLongPackageNames() {
        assertThat(path(DRAPluginGrpc.getNodePrepareResourcesMethod()))
                .isEqualTo("/k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin/NodePrepareResources");
        assertThat(path(DRAPluginGrpc.getNodeUnprepareResourcesMethod()))
                .isEqualTo("/k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin/NodeUnprepareResources");
        assertThat(path(dev.tangram.proto.dra.v1beta1.DRAPluginGrpc.getNodePrepareResourcesMethod()))
                .isEqualTo("/k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin/NodePrepareResources");
        assertThat(path(DRAResourceHealthGrpc.getNodeWatchResourcesMethod()))
                .isEqualTo("/v1alpha1.DRAResourceHealth/NodeWatchResources");
    }

    @Test
    void fieldNumbersMatchTheKubeletProtos() {
        var alloc = ContainerAllocateResponse.getDescriptor();
        assertThat(alloc.findFieldByName("envs").getNumber()).isEqualTo(1);
        assertThat(alloc.findFieldByName("cdi_devices").getNumber()).isEqualTo(5);
        var pref = dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest.getDescriptor();
        assertThat(pref.findFieldByName("available_deviceIDs").getNumber()).isEqualTo(1);
        assertThat(pref.findFieldByName("must_include_deviceIDs").getNumber()).isEqualTo(2);
        assertThat(pref.findFieldByName("allocation_size").getNumber()).isEqualTo(3);
        var v1Device = dev.tangram.proto.dra.v1.Device.getDescriptor();
        assertThat(v1Device.findFieldByName("share_id").getNumber()).isEqualTo(5);
        assertThat(dev.tangram.proto.dra.v1beta1.Device.getDescriptor().findFieldByName("share_id")).isNull();
        var health = dev.tangram.proto.drahealth.v1alpha1.DeviceHealth.getDescriptor();
        assertThat(health.findFieldByName("message").getNumber()).isEqualTo(5);
        assertThat(dev.tangram.proto.deviceplugin.v1beta1.Device.getDescriptor().findFieldByName("ID").getNumber()).isEqualTo(1);
    }
}
