package dev.tangram.demo;

import dev.tangram.demo.grpc.GrpcKubeletSimulator.ContainerGrant;
import dev.tangram.demo.inference.InferenceRun;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the demo's workload came to.
 *
 * @param placements one per pod, in workload order
 * @param held       node → resource → device ids the node's kubelet holds for containers
 * @param inference  the inference pod's request, when it ran
 */
public record DemoOutcome(List<Placement> placements, Map<String, Map<String, Set<String>>> held, Optional<InferenceRun.Outcome> inference) {

    /**
     * @param node            where it was bound (empty: rejected)
     * @param rejection       why no node took it
     * @param decidedDevices  the devices the extender decided at bind
     * @param grant           what the kubelet's Allocate gave the container
     * @param decisionHonoured whether the plugin's preferred allocation was exactly the extender's decision
     */
    public record Placement(DemoPod pod, Optional<String> node, String rejection, List<String> decidedDevices,
                            Optional<ContainerGrant> grant, boolean decisionHonoured) {
        public boolean asExpected() {
            return node.equals(pod.expectedNode());
        }
    }

    public Placement placement(String pod) {
        return placements.stream().filter(p -> p.pod().name().equals(pod)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + pod + " in the workload"));
    }
}
