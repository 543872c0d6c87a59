package dev.tangram.dra;

import dev.tangram.dra.it.TestNodes;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad settings stop the command before it serves anything, with a message naming the setting. */
@io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient(crud = true)
class DraDriverCommandTest {
    static io.fabric8.kubernetes.client.KubernetesClient client;

    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new DraDriverCommand());
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    void aMissingKubeletDirIsAUsageError() {
        Run r = run("--node-spec", TestNodes.example("l4-2").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--kubelet-dir");
    }

    @Test
    void anOutOfRangeHttpPortIsNamed() {
        Run r = run("--kubelet-dir", "/tmp/x", "--http-port", "70000", "--node-spec", TestNodes.example("l4-2").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--http-port").contains("70000");
    }

    @Test
    void anUnknownSliceShapeIsNamed() {
        Run r = run("--kubelet-dir", "/tmp/x", "--slice-shape", "newest", "--node-spec", TestNodes.example("l4-2").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("slice shape").contains("'newest'");
    }

    @Test
    void aBadNodeDescriptionStopsStartupNamingTheFile() {
        Run r = run("--kubelet-dir", "/tmp/x", "--node-spec", "/nonexistent/node.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot start").contains("/nonexistent/node.yaml");
    }

    @Test
    void withoutANodeSpecItUsesNvmlAndSaysWhyNvmlCannotStartInItsOutputAndAnEvent() throws Exception {
        String before = System.getProperty("tangram.nvml.library");
        System.setProperty("tangram.nvml.library", "/nonexistent/libnvidia-ml.so.1");
        Path root = TestNodes.shortTempDir();
        try {
            java.nio.file.Files.writeString(root.resolve("kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                    users: [{name: test, user: {token: test}}]
                    contexts: [{name: mock, context: {cluster: mock, user: test}}]
                    current-context: mock
                    """.formatted(client.getConfiguration().getMasterUrl()));
            Run r = run("--kubelet-dir", "/tmp/x", "--http-port", "-1", "--node-name", "gpu-less",
                    "--kubeconfig", root.resolve("kubeconfig").toString());
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("GPU probe failed (LIBRARY_NOT_FOUND)").contains("/nonexistent/libnvidia-ml.so.1");
            assertThat(client.v1().events().inNamespace("default").list().getItems()).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("GpuProbeFailed");
                assertThat(e.getInvolvedObject().getName()).isEqualTo("gpu-less");
                assertThat(e.getMessage()).contains("LIBRARY_NOT_FOUND");
            });
        } finally {
            TestNodes.deleteTree(root);
            if (before == null) {
                System.clearProperty("tangram.nvml.library");
            } else {
                System.setProperty("tangram.nvml.library", before);
            }
        }
    }

    @Test
    void aKubeletDirTooDeepForUnixSocketsStopsStartupSayingSo() {
        Path root = TestNodes.shortTempDir();
        try {
            Path deep = root.resolve("a".repeat(60)).resolve("b".repeat(40));
            Run r = run("--kubelet-dir", deep.toString(), "--cdi-dir", root.resolve("cdi").toString(), "--http-port", "-1",
                    "--boot-id-file", root.resolve("boot").toString(), "--node-spec", TestNodes.example("l4-2").toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("cannot start").contains("more than the 107 a Unix socket allows");
        } finally {
            TestNodes.deleteTree(root);
        }
    }
}
