package dev.tangram.dra.kube;

import dev.tangram.dra.claim.AllocatedDevice;
import dev.tangram.dra.claim.ClaimAllocation;
import dev.tangram.dra.claim.ClaimLookupException;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.claim.ClaimSource;
import dev.tangram.dra.claim.OpaqueConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAllocationConfiguration;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceRequestAllocationResult;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads ResourceClaims (resource.k8s.io/v1) and translates them at the border. */
public final class Fabric8ClaimSource implements ClaimSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024L * 1024;

    private final KubernetesClient client;

    public Fabric8ClaimSource(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public ClaimAllocation fetch(ClaimRef ref) {
        ResourceClaim claim;
        try {
            claim = client.dynamicResourceAllocation().v1().resourceClaims().inNamespace(ref.namespace()).withName(ref.name()).get();
        } catch (KubernetesClientException e) {
            throw new ClaimLookupException("cannot read ResourceClaim " + ref + " from the Kubernetes API: " + e.getMessage(), e);
        }
        if (claim == null) {
            throw new ClaimLookupException("ResourceClaim " + ref.namespace() + "/" + ref.name() + " not found");
        }
        return translate(ref, claim);
    }

    /** The border translation; checks UID and allocation. */
    public static ClaimAllocation translate(ClaimRef ref, ResourceClaim claim) {
        String uid = claim.getMetadata().getUid();
        if (!ref.uid().equals(uid)) {
            throw new ClaimLookupException("ResourceClaim " + ref.namespace() + "/" + ref.name() + " has UID " + uid
                    + ", not " + ref.uid() + " (the claim was replaced)");
        }
        if (claim.getStatus() == null || claim.getStatus().getAllocation() == null
                || claim.getStatus().getAllocation().getDevices() == null) {
            throw new ClaimLookupException("ResourceClaim " + ref + " is not allocated");
        }
        var allocation = claim.getStatus().getAllocation().getDevices();
        List<AllocatedDevice> devices = new ArrayList<>();
        for (DeviceRequestAllocationResult r : nonNull(allocation.getResults())) {
            Quantity memory = r.getConsumedCapacity() == null ? null : r.getConsumedCapacity().get("memory");
            OptionalLong memoryMib = memory == null ? OptionalLong.empty()
                    : OptionalLong.of(Quantity.getAmountInBytes(memory).longValue() / MIB);
            devices.add(new AllocatedDevice(nz(r.getRequest()), nz(r.getDriver()), nz(r.getPool()), nz(r.getDevice()),
                    Optional.ofNullable(r.getShareID()).filter(s -> !s.isBlank()), memoryMib));
        }
        List<OpaqueConfig> configs = new ArrayList<>();
        for (DeviceAllocationConfiguration c : nonNull(allocation.getConfig())) {
            if (c.getOpaque() == null) {
                continue;
            }
            configs.add(new OpaqueConfig("FromClass".equals(c.getSource()), nonNull(c.getRequests()),
                    nz(c.getOpaque().getDriver()), json(ref, c.getOpaque().getParameters())));
        }
        return new ClaimAllocation(ref, devices, configs);
    }

    private static String json(ClaimRef ref, Object parameters) {
        try {
            return JSON.writeValueAsString(parameters);
        } catch (JsonProcessingException e) {
            throw new ClaimLookupException("ResourceClaim " + ref + ": opaque parameters cannot be read: " + e.getMessage());
        }
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
