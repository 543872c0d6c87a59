package dev.tangram.manifests;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChartRenderTest {
    @Test
    void rendersWithDefaultValues() {
        String out = Chart.renderDefaults();
        System.out.println(out);
        assertThat(out).contains("kind: DaemonSet");
        assertThat(Chart.lint().getMessages()).isEmpty();
    }
}
