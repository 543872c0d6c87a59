package dev.tangram.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Loads nodes and pods from the trace's CSVs or from Tangram's YAML cluster and pod files, by file extension. */
final class ClusterFiles {
    record Loaded(List<SimNode> nodes, List<SimPod> pods) {
    }

    private ClusterFiles() {
    }

    static Loaded load(Path nodesFile, Path podsFile) throws IOException {
        List<SimNode> nodes = isYaml(nodesFile) ? ClusterYaml.nodes(nodesFile) : TraceReader.nodes(nodesFile);
        List<SimPod> pods = isYaml(podsFile) ? ClusterYaml.pods(podsFile, nodes) : TraceReader.pods(podsFile);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(nodesFile + ": no nodes");
        }
        if (pods.isEmpty()) {
            throw new IllegalArgumentException(podsFile + ": no pods");
        }
        return new Loaded(nodes, pods);
    }

    static boolean isYaml(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }
}
