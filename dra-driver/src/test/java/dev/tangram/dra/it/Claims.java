package dev.tangram.dra.it;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAllocationConfigurationBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceRequestAllocationResult;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceRequestAllocationResultBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaim;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds allocated ResourceClaims the way the scheduler leaves them, and stores them in the (mock) API server. */
public final class Claims {
    private final String namespace;
    private final String name;
    private final String uid;
    private final List<DeviceRequestAllocationResult> results = new ArrayList<>();
    private final List<io.fabric8.kubernetes.api.model.resource.v1.DeviceAllocationConfiguration> configs = new ArrayList<>();
    private boolean allocated = true;

    private Claims(String namespace, String name, String uid) {
        this.namespace = namespace;
        this.name = name;
        this.uid = uid;
    }

    public static Claims claim(String namespace, String name, String uid) {
        return new Claims(namespace, name, uid);
    }

    public Claims device(String request, String pool, String device) {
        results.add(new DeviceRequestAllocationResultBuilder().withRequest(request).withDriver("gpu.tangram.dev")
                .withPool(pool).withDevice(device).build());
        return this;
    }

    public Claims sharedDevice(String request, String pool, String device, String shareId, String memory) {
        results.add(new DeviceRequestAllocationResultBuilder().withRequest(request).withDriver("gpu.tangram.dev")
                .withPool(pool).withDevice(device).withShareID(shareId).withConsumedCapacity(Map.of("memory", new Quantity(memory))).build());
        return this;
    }

    public Claims config(String source, Map<String, Object> parameters) {
        configs.add(new DeviceAllocationConfigurationBuilder().withSource(source).withNewOpaque()
                .withDriver("gpu.tangram.dev").withParameters(parameters).endOpaque().build());
        return this;
    }

    /** A device of another driver. */
    public record Foreign(String request, String pool, String device) {
    }

    public Claims foreignDevice(Foreign d) {
        results.add(new DeviceRequestAllocationResultBuilder().withRequest(d.request()).withDriver("net.example.com")
                .withPool(d.pool()).withDevice(d.device()).build());
        return this;
    }

    public Claims unallocated() {
        allocated = false;
        return this;
    }

    public ResourceClaim build() {
        ResourceClaimBuilder b = new ResourceClaimBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid)
                .endMetadata().withNewSpec().endSpec();
        if (allocated) {
            b.withNewStatus().withNewAllocation().withNewDevices().withResults(results).withConfig(configs).endDevices()
                    .endAllocation().endStatus();
        }
        return b.build();
    }

    /** Stores it and gives back the kubelet's view of it. */
    public dev.tangram.proto.dra.v1.Claim storeIn(KubernetesClient client) {
        ResourceClaim created = client.dynamicResourceAllocation().v1().resourceClaims().inNamespace(namespace).resource(build()).create();
        if (allocated && (created.getStatus() == null || created.getStatus().getAllocation() == null)) {
            created.setStatus(build().getStatus());
            client.dynamicResourceAllocation().v1().resourceClaims().inNamespace(namespace).resource(created).updateStatus();
        }
        return KubeletHarness.claim(namespace, created.getMetadata().getUid(), name);
    }
}
