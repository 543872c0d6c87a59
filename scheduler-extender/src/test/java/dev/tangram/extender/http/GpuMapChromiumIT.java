package dev.tangram.extender.http;

import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.ExampleCluster;
import dev.tangram.extender.KubeFixtures;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GPU map in a real browser: headless Chromium loads {@code /ui} from the extender on the example nodes, runs its
 * script (which polls {@code /ui/state.json}), and the DOM it built is checked; a screenshot is taken. Skipped where
 * {@code /usr/bin/chromium} is missing.
 */
@Tag("chromium")
class GpuMapChromiumIT {
    private static final Pattern CELL = Pattern.compile(
            "<div class=\"gpu (\\w+)\" data-node=\"([^\"]+)\" data-index=\"(\\d+)\" data-state=\"(\\w+)\"");
    private static final Pattern SLICE = Pattern.compile("<div class=\"slice (\\w+)\" data-profile=\"([^\"]+)\" data-state=\"(\\w+)\"");

    @TempDir
    Path work;
    private ExampleExtender cluster;
    private HeadlessChromium chromium;

    /** One GPU cell as drawn: its node, index, state and the HTML up to the next cell (its slices and labels). */
    private record Cell(String node, int index, String state, String html) {
        List<String> slices() {
            List<String> out = new ArrayList<>();
            Matcher m = SLICE.matcher(html);
            while (m.find()) {
                out.add(m.group(2) + ":" + m.group(3));
            }
            return out;
        }
    }

    @BeforeEach
    void start() {
        assumeTrue(HeadlessChromium.installed(), "chromium is not installed at " + HeadlessChromium.BINARY
                + " (apt-get install -y chromium): skipping the headless GPU map test");
        cluster = new ExampleExtender();
        chromium = new HeadlessChromium(work);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<Cell> cells() throws Exception {
        return cells(cluster.base());
    }

    private List<Cell> cells(String base) throws Exception {
        String dom = chromium.dumpDom(base + "/ui");
        assertThat(dom).as("the page's script rendered a snapshot").contains("data-version=");
        List<Cell> cells = new ArrayList<>();
        Matcher m = CELL.matcher(dom);
        List<Integer> starts = new ArrayList<>();
        List<String[]> groups = new ArrayList<>();
        while (m.find()) {
            assertThat(m.group(1)).isEqualTo(m.group(4));
            starts.add(m.start());
            groups.add(new String[] {m.group(2), m.group(3), m.group(4)});
        }
        for (int i = 0; i < starts.size(); i++) {
            String html = dom.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : dom.length());
            cells.add(new Cell(groups.get(i)[0], Integer.parseInt(groups.get(i)[1]), groups.get(i)[2], html));
        }
        return cells;
    }

    private static List<Cell> on(List<Cell> cells, String node) {
        return cells.stream().filter(c -> c.node().equals(node)).toList();
    }

    @Test
    void theMapDrawsEveryGpuAndShowsBindsReservationsSharesAndMigSlicesAfterItsPoll() throws Exception {
        List<Cell> before = cells();
        assertThat(before).hasSize(cluster.gpuCount());
        assertThat(on(before, ExampleCluster.DGX)).extracting(Cell::state)
                .containsExactly("free", "free", "free", "free", "free", "free", "free", "unhealthy");
        Cell migGpu = on(before, ExampleCluster.A100_MIG).getFirst();
        assertThat(migGpu.slices()).containsExactly("3g.40gb:free", "2g.20gb:free", "1g.10gb:free");

        Pod train = cluster.create(KubeFixtures.gpuPod("train", 4));
        cluster.bind(train, ExampleCluster.DGX);
        Pod infer = cluster.create(KubeFixtures.pod("infer", TangramNames.RESOURCE_GPU_SHARED, 3, Map.of()));
        cluster.bind(infer, ExampleCluster.L4);
        Pod small = cluster.create(KubeFixtures.pod("small", TangramNames.migResource("1g.10gb"), 1, Map.of()));
        cluster.bind(small, ExampleCluster.A100_MIG);
        Pod member = cluster.create(KubeFixtures.gangPod("ring-0", "ring", 2, 2));
        assertThat(cluster.filter(member).get("NodeNames")).hasSize(1);
        cluster.create(KubeFixtures.gpuPod("waiting", 8));

        List<Cell> after = cells();
        assertThat(after).hasSize(cluster.gpuCount());
        assertThat(on(after, ExampleCluster.DGX)).filteredOn(c -> c.state().equals("allocated")).hasSize(4)
                .allSatisfy(c -> assertThat(c.html()).contains("default/train"));
        assertThat(after).filteredOn(c -> c.state().equals("reserved")).hasSize(4)
                .allSatisfy(c -> assertThat(c.html()).contains("gang default/ring"));
        assertThat(on(after, ExampleCluster.L4)).anySatisfy(c -> assertThat(c.html()).contains("3/4 replicas used"));
        assertThat(on(after, ExampleCluster.A100_MIG).getFirst().slices()).containsExactly("3g.40gb:free", "2g.20gb:free", "1g.10gb:allocated");

        Path png = work.resolve("gpu-map.png");
        chromium.screenshot(cluster.base() + "/ui", png, 1400, 900);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        Path copy = Path.of("target", "gpu-map.png");
        Files.createDirectories(copy.getParent());
        Files.copy(png, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void thePageRedrawsWhenTheClusterChangesBetweenTwoPollsWithoutBeingReloaded() throws Exception {
        Pod pod = cluster.create(KubeFixtures.gpuPod("late", 4));
        try (PagePoller poller = new PagePoller(cluster.base(), () -> cluster.bind(pod, "a100-pcie-01"))) {
            // The bind is made after the page's first poll was answered, before its second is.
            List<Cell> cells = cells(poller.base());
            assertThat(poller.failure()).isEmpty();
            assertThat(poller.pageLoads()).isEqualTo(1);
            assertThat(poller.polls()).isGreaterThanOrEqualTo(2);
            assertThat(cells).hasSize(cluster.gpuCount());
            assertThat(on(cells, "a100-pcie-01")).extracting(Cell::state).containsExactly("allocated", "allocated", "allocated", "allocated");
        }
    }
}
