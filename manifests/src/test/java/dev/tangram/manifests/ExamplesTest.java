package dev.tangram.manifests;

import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceClass;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The example workloads say what the docs promise, as the extender itself reads them. */
class ExamplesTest {
    private static final PodReader READER = new PodReader(Set.of(TangramNames.RESOURCE_GPU_SHARED), PodGroupSizes.NONE);

    private static List<HasMetadata> example(String file) throws IOException {
        return StrictYaml.load(Files.readString(Chart.ROOT.resolve("manifests/examples").resolve(file)), file);
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    /** A pod of the template, as the extender's informer would see it. */
    private static PodInfo podOf(PodTemplateSpec template, String name) {
        Pod pod = new PodBuilder().withMetadata(template.getMetadata()).editOrNewMetadata().withName(name).withNamespace("default")
                .withUid("uid-" + name).endMetadata().withSpec(template.getSpec()).build();
        return READER.read(pod);
    }

    @Test
    void theTrainingGangIsTwoWorkersOfEightWholeGpusScheduledByTangram() throws IOException {
        Job job = only(example("training-gang.yaml"), Job.class);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        assertThat(job.getSpec().getTemplate().getSpec().getSchedulerName()).isEqualTo("tangram-scheduler");
        PodInfo worker = podOf(job.getSpec().getTemplate(), "llm-train-0");
        assertThat(worker.problem()).isEmpty();
        assertThat(worker.gang()).hasValueSatisfying(g -> assertThat(g.size()).isEqualTo(2));
        assertThat(worker.demand().containers()).singleElement().satisfies(c -> {
            assertThat(c.resource()).isEqualTo(TangramNames.RESOURCE_GPU);
            assertThat(c.demand()).isEqualTo(new GpuDemand.WholeGpus(8));
        });
    }

    @Test
    void theInferenceDeploymentsAskForASharedReplicaAndAMigSlice() throws IOException {
        for (var e : Map.of("inference-shared.yaml", TangramNames.RESOURCE_GPU_SHARED,
                "inference-mig.yaml", TangramNames.migResource("1g.10gb")).entrySet()) {
            Deployment d = only(example(e.getKey()), Deployment.class);
            assertThat(d.getSpec().getTemplate().getSpec().getSchedulerName()).isEqualTo("tangram-scheduler");
            PodInfo pod = podOf(d.getSpec().getTemplate(), d.getMetadata().getName() + "-0");
            assertThat(pod.problem()).as(e.getKey()).isEmpty();
            assertThat(pod.gang()).isEmpty();
            assertThat(pod.demand().containers()).singleElement().satisfies(c -> assertThat(c.resource()).isEqualTo(e.getValue()));
        }
    }

    @Test
    void theClaimExampleAsksTheChartsGpuDeviceClassThroughATemplateTheDeploymentUses() throws IOException {
        List<HasMetadata> objects = example("inference-claim.yaml");
        ResourceClaimTemplate template = only(objects, ResourceClaimTemplate.class);
        Deployment d = only(objects, Deployment.class);
        String className = template.getSpec().getSpec().getDevices().getRequests().getFirst().getExactly().getDeviceClassName();
        assertThat(Rendered.of(Map.of()).all(DeviceClass.class)).extracting(c -> c.getMetadata().getName()).contains(className);
        var podSpec = d.getSpec().getTemplate().getSpec();
        assertThat(podSpec.getResourceClaims()).singleElement()
                .satisfies(c -> assertThat(c.getResourceClaimTemplateName()).isEqualTo(template.getMetadata().getName()));
        assertThat(podSpec.getContainers().getFirst().getResources().getClaims()).extracting(c -> c.getName())
                .containsExactly(podSpec.getResourceClaims().getFirst().getName());
        assertThat(podSpec.getSchedulerName()).as("DRA pods are placed by kube-scheduler's DRA plugin").isNull();
    }
}
