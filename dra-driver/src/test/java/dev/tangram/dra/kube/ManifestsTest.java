package dev.tangram.dra.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceClass;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped manifests read into fabric8's typed resource.k8s.io/v1 models and say what the docs promise. */
class ManifestsTest {
    private static final Path DIR = Path.of("..", "manifests", "dra");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private static List<HasMetadata> load(String file) throws IOException {
        Object parsed = YAML.unmarshal(Files.readString(DIR.resolve(file)));
        return parsed instanceof List<?> l ? l.stream().map(HasMetadata.class::cast).toList() : List.of((HasMetadata) parsed);
    }

    @Test
    void deviceClassesSelectGpusAndMigDevicesOfTheDriverByCel() throws IOException {
        Map<String, DeviceClass> classes = load("deviceclasses.yaml").stream().map(DeviceClass.class::cast)
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), Function.identity()));

        assertThat(classes).containsOnlyKeys("gpu.tangram.dev", "mig.tangram.dev");
        assertThat(classes.get("gpu.tangram.dev").getSpec().getSelectors().getFirst().getCel().getExpression())
                .contains("device.driver == 'gpu.tangram.dev'").contains(".type == 'gpu'");
        assertThat(classes.get("mig.tangram.dev").getSpec().getSelectors().getFirst().getCel().getExpression())
                .contains(".type == 'mig'");
    }

    @Test
    void claimTemplatesCoverOneGpuLinkedPairMigSliceAndTimeSharing() throws IOException {
        Map<String, ResourceClaimTemplate> templates = load("claim-templates.yaml").stream().map(ResourceClaimTemplate.class::cast)
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), Function.identity()));

        assertThat(templates).containsOnlyKeys("one-gpu", "two-linked-gpus", "mig-1g-10gb", "time-shared-gpu");
        var pair = templates.get("two-linked-gpus").getSpec().getSpec().getDevices();
        assertThat(pair.getRequests().getFirst().getExactly().getCount()).isEqualTo(2L);
        assertThat(pair.getConstraints().getFirst().getMatchAttribute()).isEqualTo("gpu.tangram.dev/nvlinkGroup");
        assertThat(templates.get("mig-1g-10gb").getSpec().getSpec().getDevices().getRequests().getFirst().getExactly()
                .getDeviceClassName()).isEqualTo("mig.tangram.dev");
        var shared = templates.get("time-shared-gpu").getSpec().getSpec().getDevices();
        String params = YAML.asJson(shared.getConfig().getFirst().getOpaque().getParameters());
        assertThat(dev.tangram.dra.config.GpuConfigParser.parse(params))
                .isEqualTo(new dev.tangram.dra.config.SharingConfig.TimeSlicing(dev.tangram.dra.config.SharingConfig.Interval.Short));
        assertThat(shared.getRequests().getFirst().getExactly().getCapacity().getRequests()).containsKey("memory");
    }

    @Test
    void theClusterRoleGrantsWhatTheDriverCalls() throws IOException {
        var role = load("rbac.yaml").stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
                .map(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class::cast).findFirst().orElseThrow();
        Map<String, List<String>> verbs = role.getRules().stream().collect(Collectors.toMap(
                r -> r.getApiGroups().getFirst() + "/" + r.getResources().getFirst(), r -> r.getVerbs()));

        assertThat(verbs.get("resource.k8s.io/resourceclaims")).contains("get");
        assertThat(verbs.get("resource.k8s.io/resourceslices")).contains("list", "create", "update", "delete");
        assertThat(verbs.get("/nodes")).contains("get");
        assertThat(verbs.get("/events")).contains("create");
    }
}
