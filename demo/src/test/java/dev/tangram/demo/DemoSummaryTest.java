package dev.tangram.demo;

import dev.tangram.core.names.TangramNames;
import dev.tangram.demo.DemoOutcome.Placement;
import dev.tangram.demo.grpc.GrpcKubeletSimulator.ContainerGrant;
import dev.tangram.demo.inference.InferenceRun;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DemoSummaryTest {
    private static final DemoPod A = new DemoPod("a", TangramNames.RESOURCE_GPU, 1, Optional.empty(), 0, Optional.of("n1"), "");
    private static final DemoPod B = new DemoPod("b", TangramNames.RESOURCE_GPU, 1, Optional.empty(), 0, Optional.of("n1"), "");
    private static final DemoPod NONE = new DemoPod("c", TangramNames.RESOURCE_GPU, 9, Optional.empty(), 0, Optional.empty(), "");

    private static Placement bound(DemoPod p, String node, String id) {
        return new Placement(p, Optional.of(node), "", List.of(id),
                Optional.of(new ContainerGrant(p.resource(), List.of(id), Map.of(), List.of(), List.of())), true);
    }

    private static Optional<InferenceRun.Outcome> answer(String text) {
        return Optional.of(new InferenceRun.Outcome("p", text, "kv cache: ...", "x", 1, 1));
    }

    @Test
    void findsNothingWrongWhenEveryPodIsWhereExpectedWithItsOwnDevices() {
        DemoOutcome o = new DemoOutcome(List.of(bound(A, "n1", "GPU-1"), bound(B, "n1", "GPU-2"),
                new Placement(NONE, Optional.empty(), "too big", List.of(), Optional.empty(), false)), Map.of(), answer("hi"));
        assertThat(DemoSummary.problems(o)).isEmpty();
    }

    @Test
    void reportsADeviceGivenToTwoContainersOfOneNode() {
        DemoOutcome o = new DemoOutcome(List.of(bound(A, "n1", "GPU-1"), bound(B, "n1", "GPU-1")), Map.of(), answer("hi"));
        assertThat(DemoSummary.problems(o)).containsExactly("device GPU-1 on n1/nvidia.com/gpu was allocated twice");
    }

    @Test
    void reportsAPodOnAnotherNodeThanExpectedAnUnhonouredDecisionAndAnEmptyAnswer() {
        Placement elsewhere = bound(A, "n2", "GPU-1");
        Placement unhonoured = new Placement(B, Optional.of("n1"), "", List.of("GPU-7"),
                Optional.of(new ContainerGrant(B.resource(), List.of("GPU-2"), Map.of(), List.of(), List.of())), false);
        DemoOutcome o = new DemoOutcome(List.of(elsewhere, unhonoured), Map.of(), answer(" "));
        assertThat(DemoSummary.problems(o)).hasSize(3)
                .anySatisfy(p -> assertThat(p).startsWith("a expected on n1, got n2"))
                .anySatisfy(p -> assertThat(p).contains("is not the extender's decision [GPU-7]"))
                .anySatisfy(p -> assertThat(p).contains("answered with no text"));
    }
}
