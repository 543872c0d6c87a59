package dev.tangram.demo;

import dev.tangram.core.names.TangramNames;
import dev.tangram.demo.DemoOutcome.Placement;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code bin/tangram demo --exit} in this JVM: the real plugins, kubelet sockets, extender HTTP and inference server. */
class DemoIT {

    @Test
    void placesEveryPodAsExpectedAllocatesNoDeviceTwiceAndTheInferenceServerAnswers() {
        DemoCommand demo = new DemoCommand();
        int exit = new CommandLine(demo).execute("--exit", "--port", "0");

        assertThat(exit).isZero();
        DemoOutcome o = demo.outcome;
        assertThat(o).isNotNull();
        assertThat(DemoSummary.problems(o)).isEmpty();

        assertThat(o.placement("train-0").node()).contains("dgx-h100-01");
        assertThat(o.placement("train-1").node()).contains("dgx-h100-01");
        assertThat(o.placement("finetune-0").node()).contains("a100-mig-01");
        assertThat(o.placement("notebook-0").node()).contains("a100-mig-01");
        assertThat(o.placement("chat-0").node()).contains("l4-inference-01");
        // a gang that fits only in part holds nothing: the extender rejects both members with its reason
        for (String member : List.of("eval-0", "eval-1")) {
            assertThat(o.placement(member).node()).as(member).isEmpty();
            assertThat(o.placement(member).rejection()).as(member).contains("nothing is held");
        }
        Placement tooBig = o.placement("too-big-0");
        assertThat(tooBig.node()).isEmpty();
        assertThat(tooBig.rejection()).contains("Insufficient nvidia.com/gpu");

        // the gang holds all 8 H100s, each once; every bound pod got exactly the devices the extender decided
        List<String> gang = new ArrayList<>(o.placement("train-0").grant().orElseThrow().deviceIds());
        gang.addAll(o.placement("train-1").grant().orElseThrow().deviceIds());
        assertThat(gang).hasSize(8).doesNotHaveDuplicates();
        assertThat(o.held().get("dgx-h100-01").get(TangramNames.RESOURCE_GPU)).containsExactlyInAnyOrderElementsOf(gang);
        for (Placement p : o.placements()) {
            if (p.node().isPresent()) {
                assertThat(p.grant().orElseThrow().deviceIds()).as(p.pod().name()).isEqualTo(p.decidedDevices()).hasSize(p.pod().count());
            }
        }
        Set<String> all = new HashSet<>();
        o.placements().forEach(p -> p.grant().ifPresent(g -> g.deviceIds().forEach(id -> assertThat(all.add(p.node().orElseThrow() + "/" + id))
                .as("device " + id + " given once").isTrue())));

        assertThat(o.placement("notebook-0").grant().orElseThrow().deviceIds()).singleElement().asString().startsWith("MIG-");
        var chat = o.placement("chat-0").grant().orElseThrow();
        assertThat(chat.resource()).isEqualTo(TangramNames.RESOURCE_GPU_SHARED);
        long limit = Long.parseLong(chat.env().get(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB));
        assertThat(limit).isBetween(1L, 23034L / 4); // at most a quarter of an L4 (23034 MiB, 4 replicas)

        var inference = o.inference().orElseThrow();
        assertThat(inference.answer()).isNotBlank();
        assertThat(inference.completionTokens()).isPositive();
        assertThat(inference.memoryLimitMib()).isEqualTo(limit);
        assertThat(inference.arithmetic()).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=" + limit);
    }
}
