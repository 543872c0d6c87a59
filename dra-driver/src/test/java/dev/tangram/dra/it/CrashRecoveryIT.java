package dev.tangram.dra.it;

import dev.tangram.dra.checkpoint.Checkpoint;
import dev.tangram.dra.checkpoint.CheckpointFile;
import dev.tangram.dra.checkpoint.ClaimEntry;
import dev.tangram.dra.checkpoint.ClaimState;
import dev.tangram.dra.prepare.CrashPoint;
import dev.tangram.proto.dra.v1.Claim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The driver as a child process, halted (as by SIGKILL) at each step of prepare, then restarted: every claim is either
 * fully prepared or cleanly absent, with no orphan CDI spec and no orphan MIG device; the kubelet's retry then succeeds.
 */
@EnableKubernetesMockClient(crud = true)
class CrashRecoveryIT {
    static KubernetesClient client;

    private Path root;
    private Process child;

    @BeforeEach
    void setUp() throws IOException {
        root = TestNodes.shortTempDir();
        TestNodes.writeBootId(root, "boot-1");
        String server = client.getConfiguration().getMasterUrl();
        Files.writeString(root.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: test
                  user: {token: test}
                contexts:
                - name: mock
                  context: {cluster: mock, user: test, namespace: default}
                current-context: mock
                """.formatted(server));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        stopChild();
        TestNodes.deleteTree(root);
    }

    private void startChild(Optional<CrashPoint> crashAt) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CrashTestDriverMain.class.getName(),
                "--node-spec", TestNodes.example("a100-mig").toString(),
                "--kubelet-dir", root.resolve("kubelet").toString(),
                "--cdi-dir", root.resolve("cdi").toString(),
                "--state-dir", root.resolve("state").toString(),
                "--kubeconfig", root.resolve("kubeconfig").toString(),
                "--node-name", "crash-node", "--http-port", "-1", "--slice-shape", "1.35",
                "--boot-id-file", root.resolve("boot_id").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("driver.log").toFile()));
        pb.environment().put(CrashTestDriverMain.MIG_STATE_ENV, root.resolve("mig-state.json").toString());
        pb.environment().remove(CrashPoint.ENV);
        crashAt.ifPresent(p -> pb.environment().put(CrashPoint.ENV, p.step()));
        child = pb.start();
    }

    private KubeletHarness registered() {
        KubeletHarness kubelet = new KubeletHarness(root.resolve("kubelet"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    assertThat(child.isAlive()).as("driver process alive; log:\n%s", log()).isTrue();
                    kubelet.register();
                    return true;
                });
        return kubelet;
    }

    private String log() {
        try {
            return Files.readString(root.resolve("driver.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void stopChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        child = null;
    }

    private Optional<ClaimEntry> checkpointEntry(String uid) throws IOException {
        Path file = root.resolve("state").resolve(CheckpointFile.FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Checkpoint cp = CheckpointFile.decode(Files.readAllBytes(file));
        return cp.claim(uid);
    }

    private List<String> cdiFiles() throws IOException {
        Path dir = root.resolve("cdi");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }

    @ParameterizedTest
    @EnumSource(value = CrashPoint.class, mode = EnumSource.Mode.MATCH_ALL, names = "^(?!AFTER_UNPREPARE).*")
    void afterAKillAtAnyStepOfPrepareEveryClaimIsFullyPreparedOrCleanlyAbsent(CrashPoint step) throws Exception {
        Claim claim = Claims.claim("ml", "crash-" + step.step(), "uid").device("mig", "crash-node", "gpu-3-mig-1g10gb-0")
                .device("gpu", "crash-node", "gpu-4").storeIn(client);
        Path migState = root.resolve("mig-state.json");

        startChild(Optional.of(step));
        try (KubeletHarness kubelet = registered()) {
            try {
                kubelet.prepare(claim);
            } catch (StatusRuntimeException expected) {
                // the process died under the call
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("halted at %s; log:\n%s", step.step(), log()).isEqualTo(CrashPoint.EXIT_CODE);

        startChild(Optional.empty());
        try (KubeletHarness kubelet = registered()) {
            Optional<ClaimEntry> entry = checkpointEntry(claim.getUid());
            String cdiName = "tangram.dev-claim_" + claim.getUid() + ".json";
            if (step == CrashPoint.AFTER_PREPARE_COMPLETED) {
                assertThat(entry).hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(ClaimState.PREPARE_COMPLETED));
                assertThat(cdiFiles()).containsExactly(cdiName);
                assertThat(FileBackedMigProbe.read(migState)).singleElement()
                        .satisfies(m -> assertThat(m.uuid()).isEqualTo(entry.get().migDevices().getFirst().migUuid()));
            } else {
                assertThat(entry).as("checkpoint entry after a kill at %s", step.step()).isEmpty();
                assertThat(cdiFiles()).as("orphan CDI specs after a kill at %s", step.step()).isEmpty();
                assertThat(FileBackedMigProbe.read(migState)).as("orphan MIG devices after a kill at %s", step.step()).isEmpty();
            }

            var retried = kubelet.prepare(claim).getClaimsOrThrow(claim.getUid());

            assertThat(retried.getError()).isEmpty();
            assertThat(retried.getDevicesList()).hasSize(2);
            assertThat(cdiFiles()).containsExactly(cdiName);
            assertThat(FileBackedMigProbe.read(migState)).hasSize(1);

            assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
            assertThat(cdiFiles()).isEmpty();
            assertThat(FileBackedMigProbe.read(migState)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = CrashPoint.class, names = {"AFTER_UNPREPARE_STARTED", "AFTER_UNPREPARE_MIG_DESTROY"})
    void afterAKillAtAnyStepOfUnprepareTheClaimIsCleanlyAbsentAndCanBePreparedAgain(CrashPoint step) throws Exception {
        Claim claim = Claims.claim("ml", "unprep-" + step.step(), "uid").device("mig", "crash-node", "gpu-3-mig-1g10gb-0")
                .device("gpu", "crash-node", "gpu-4").storeIn(client);
        Path migState = root.resolve("mig-state.json");
        String cdiName = "tangram.dev-claim_" + claim.getUid() + ".json";

        startChild(Optional.of(step));
        try (KubeletHarness kubelet = registered()) {
            assertThat(kubelet.prepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
            assertThat(FileBackedMigProbe.read(migState)).hasSize(1);
            try {
                kubelet.unprepare(claim);
            } catch (StatusRuntimeException expected) {
                // the process died under the call
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("halted at %s; log:\n%s", step.step(), log()).isEqualTo(CrashPoint.EXIT_CODE);
        assertThat(checkpointEntry(claim.getUid())).as("entry on disk at the kill")
                .hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(ClaimState.PREPARE_STARTED));

        startChild(Optional.empty());
        try (KubeletHarness kubelet = registered()) {
            assertThat(checkpointEntry(claim.getUid())).as("checkpoint entry after a kill at %s", step.step()).isEmpty();
            assertThat(cdiFiles()).as("orphan CDI specs after a kill at %s", step.step()).isEmpty();
            assertThat(FileBackedMigProbe.read(migState)).as("orphan MIG devices after a kill at %s", step.step()).isEmpty();

            assertThat(kubelet.prepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
            assertThat(cdiFiles()).containsExactly(cdiName);
            assertThat(FileBackedMigProbe.read(migState)).hasSize(1);
            assertThat(kubelet.unprepare(claim).getClaimsOrThrow(claim.getUid()).getError()).isEmpty();
            assertThat(cdiFiles()).isEmpty();
            assertThat(FileBackedMigProbe.read(migState)).isEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    void afterASigkillInTheMiddleOfPrepareTrafficEveryClaimIsFullyPreparedOrCleanlyAbsent() throws Exception {
        List<Claim> claims = List.of(
                Claims.claim("ml", "kill-a", "a").device("mig", "crash-node", "gpu-3-mig-1g10gb-0").storeIn(client),
                Claims.claim("ml", "kill-b", "b").device("mig", "crash-node", "gpu-3-mig-2g20gb-2").storeIn(client),
                Claims.claim("ml", "kill-c", "c").device("gpu", "crash-node", "gpu-4").storeIn(client),
                Claims.claim("ml", "kill-d", "d").device("gpu", "crash-node", "gpu-5").device("mig", "crash-node", "gpu-3-mig-3g40gb-4")
                        .storeIn(client));
        Claim[] all = claims.toArray(Claim[]::new);
        Path migState = root.resolve("mig-state.json");

        startChild(Optional.empty());
        int[] rounds = {0};
        try (KubeletHarness kubelet = registered()) {
            Thread traffic = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        kubelet.prepare(all);
                        kubelet.unprepare(all);
                        rounds[0]++;
                    }
                } catch (StatusRuntimeException stopped) {
                    // the driver was killed
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> rounds[0] >= 2);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            traffic.join(30_000);
        }

        startChild(Optional.empty());
        try (KubeletHarness kubelet = registered()) {
            List<String> ownedMigs = new ArrayList<>();
            for (Claim c : claims) {
                Optional<ClaimEntry> entry = checkpointEntry(c.getUid());
                boolean cdi = cdiFiles().contains("tangram.dev-claim_" + c.getUid() + ".json");
                if (entry.isPresent()) {
                    assertThat(entry.get().state()).isEqualTo(ClaimState.PREPARE_COMPLETED);
                    assertThat(cdi).as("CDI spec of prepared claim %s", c.getName()).isTrue();
                    entry.get().migDevices().forEach(m -> ownedMigs.add(m.migUuid()));
                } else {
                    assertThat(cdi).as("orphan CDI spec of claim %s", c.getName()).isFalse();
                }
            }
            assertThat(FileBackedMigProbe.read(migState)).extracting(FileBackedMigProbe.Stored::uuid)
                    .as("MIG devices must all belong to prepared claims").containsExactlyInAnyOrderElementsOf(ownedMigs);

            var prepared = kubelet.prepare(all);
            assertThat(prepared.getClaimsMap().values()).allSatisfy(r -> assertThat(r.getError()).isEmpty());
            assertThat(FileBackedMigProbe.read(migState)).hasSize(3);
            kubelet.unprepare(all);
            assertThat(cdiFiles()).isEmpty();
            assertThat(FileBackedMigProbe.read(migState)).isEmpty();
        }
    }
}
