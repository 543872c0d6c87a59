package dev.tangram.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every YAML file under manifests/ (outside the chart's templates) reads into fabric8's typed models, strictly. */
class AllManifestsTest {

    static Stream<Path> manifestFiles() throws IOException {
        try (Stream<Path> s = Files.walk(Chart.ROOT.resolve("manifests"))) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.startsWith(Chart.CHART)) // templates are not YAML until rendered
                    .filter(p -> !p.toString().contains("/target/"))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("manifestFiles")
    void loadsIntoTypedModelsWithNoUnknownKindOrField(Path file) throws IOException {
        String yaml = Files.readString(file);
        if (yaml.contains("kind: KubeSchedulerConfiguration")) {
            // kube-scheduler's own config file, not an API object: fabric8 has no model for it (ChartValuesTest checks the rendered one)
            assertThat(yaml).contains("apiVersion: kubescheduler.config.k8s.io/v1");
            return;
        }
        List<HasMetadata> objects = StrictYaml.load(yaml, Chart.ROOT.relativize(file).toString());
        assertThat(objects).isNotEmpty();
    }

    @Test
    void everyFileIsFound() throws IOException {
        assertThat(manifestFiles().map(p -> Chart.ROOT.relativize(p).toString()))
                .contains("manifests/static/tangram.yaml", "manifests/scheduler/tangram-scheduler.yaml");
    }

    @Test
    void aMisspelledFieldOrAnUnknownKindIsRefused() {
        String typo = Chart.renderDefaults().replace("imagePullPolicy: IfNotPresent", "imagePulPolicy: IfNotPresent");
        assertThatThrownBy(() -> StrictYaml.load(typo, "typo")).isInstanceOf(StrictYaml.StrictnessException.class)
                .hasMessageContaining("unknown fields").hasMessageContaining("imagePulPolicy");
        assertThatThrownBy(() -> StrictYaml.load("apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}\n", "gizmo"))
                .hasMessageContaining("unknown kind example.com/v1/Gizmo");
        assertThat(StrictYaml.load(Chart.renderDefaults(), "defaults")).filteredOn(DaemonSet.class::isInstance).hasSize(2);
    }
}
