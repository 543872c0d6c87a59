package dev.tangram.demo;

import dev.tangram.core.names.TangramNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pod of the demo's workload: one container asking {@code count} devices of {@code resource}.
 *
 * @param expectedNode where the demo expects it (empty: it must be rejected)
 * @param gang         gang name, with {@code gangSize} members
 */
public record DemoPod(String name, String resource, int count, Optional<String> gang, int gangSize, Optional<String> expectedNode,
                      String story) {
    public static final String NAMESPACE = "default";
    public static final String SCHEDULER = "tangram-scheduler";
    public static final String CONTAINER = "main";

    public boolean inference() {
        return name.equals("chat-0");
    }

    public Pod toPod() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/part-of", "tangram-demo");
        gang.ifPresent(g -> {
            labels.put(TangramNames.LABEL_GANG, g);
            labels.put(TangramNames.LABEL_GANG_SIZE, Integer.toString(gangSize));
        });
        Map<String, Quantity> limits = Map.of(resource, new Quantity(Integer.toString(count)));
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withNewSpec().withSchedulerName(SCHEDULER)
                .addNewContainer().withName(CONTAINER).withImage("ghcr.io/tangram/demo:latest")
                .withNewResources().withLimits(limits).withRequests(limits).endResources().endContainer()
                .endSpec().build();
    }

    /** The demo's workload, in the order the scheduler loop sees it. */
    public static List<DemoPod> workload() {
        return List.of(
                new DemoPod("train-0", TangramNames.RESOURCE_GPU, 4, Optional.of("train"), 2, Optional.of("dgx-h100-01"),
                        "gang 'train' member 1 of 2, 4 whole GPUs"),
                new DemoPod("train-1", TangramNames.RESOURCE_GPU, 4, Optional.of("train"), 2, Optional.of("dgx-h100-01"),
                        "gang 'train' member 2 of 2, 4 whole GPUs"),
                new DemoPod("finetune-0", TangramNames.RESOURCE_GPU, 2, Optional.empty(), 0, Optional.of("a100-mig-01"),
                        "2 whole GPUs (the H100s are taken by the gang)"),
                new DemoPod("notebook-0", TangramNames.migResource("1g.10gb"), 1, Optional.empty(), 0, Optional.of("a100-mig-01"),
                        "one MIG 1g.10gb slice"),
                new DemoPod("eval-0", TangramNames.RESOURCE_GPU, 2, Optional.of("eval"), 2, Optional.empty(),
                        "gang 'eval' member 1 of 2, 2 whole GPUs: only 2 are left, all or nothing"),
                new DemoPod("eval-1", TangramNames.RESOURCE_GPU, 2, Optional.of("eval"), 2, Optional.empty(),
                        "gang 'eval' member 2 of 2"),
                new DemoPod("chat-0", TangramNames.RESOURCE_GPU_SHARED, 1, Optional.empty(), 0, Optional.of("l4-inference-01"),
                        "one shared replica of an L4: the inference server"),
                new DemoPod("too-big-0", TangramNames.RESOURCE_GPU, 16, Optional.empty(), 0, Optional.empty(),
                        "16 whole GPUs on one node: no node has that many"));
    }
}
