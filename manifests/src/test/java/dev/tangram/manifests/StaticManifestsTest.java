package dev.tangram.manifests;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class StaticManifestsTest {
    @Test
    void thePlainManifestsAreTheChartRenderedWithItsDefaults() throws IOException {
        assertThat(Files.readString(StaticManifests.FILE))
                .as("manifests/static/tangram.yaml is stale: regenerate it with ./mvnw -B -q -ntp -pl manifests -am process-test-classes -Pwrite-static")
                .isEqualTo(StaticManifests.content());
    }

    @Test
    void theChartPassesHelmLintStrict() {
        var lint = Chart.lint();
        assertThat(lint.isFailed()).as(lint.getMessages().toString()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }
}
