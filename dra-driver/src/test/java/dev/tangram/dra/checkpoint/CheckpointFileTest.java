package dev.tangram.dra.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointFileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T04:00:00Z"), ZoneOffset.UTC);

    static ClaimEntry started(String uid) {
        return new ClaimEntry(uid, "ns", "claim-" + uid, ClaimState.PREPARE_STARTED,
                List.of(new DeviceEntry("gpu", "node-a", "gpu-3-mig-1g10gb-0", "GPU-3", null, "tangram.dev/claim=" + uid + "-gpu-3-mig-1g10gb-0")),
                List.of(new MigEntry("gpu-3-mig-1g10gb-0", "GPU-3", "1g.10gb", 0, null)));
    }

    @Test
    void aCheckpointRoundTripsThroughItsFileWithEveryState(@TempDir Path dir) {
        CheckpointFile file = new CheckpointFile(dir, CLOCK);
        Checkpoint cp = Checkpoint.empty("boot-1").started(started("a")).migCreated("a", "gpu-3-mig-1g10gb-0", "MIG-1")
                .completed("a").started(started("b"));

        file.save(cp);

        assertThat(file.load("boot-1")).isInstanceOf(CheckpointFile.Found.class)
                .extracting(CheckpointFile.Loaded::checkpoint).isEqualTo(cp);
        assertThat(new String(CheckpointFile.encode(cp), StandardCharsets.UTF_8))
                .contains("\"version\" : 1", "\"nodeBootId\" : \"boot-1\"", "\"state\" : \"PrepareCompleted\"",
                        "\"state\" : \"PrepareStarted\"", "\"migUuid\" : \"MIG-1\"");
        assertThat(dir.resolve(".checkpoint.json.tmp")).doesNotExist();
    }

    @Test
    void stateTransitionsFollowStartedThenCompletedThenRemoved() {
        Checkpoint cp = Checkpoint.empty("b").started(started("a"));
        assertThat(cp.claim("a").orElseThrow().state()).isEqualTo(ClaimState.PREPARE_STARTED);
        Checkpoint done = cp.completed("a");
        assertThat(done.inState(ClaimState.PREPARE_COMPLETED)).hasSize(1);
        assertThatThrownBy(() -> done.completed("a")).hasMessageContaining("PrepareCompleted");
        assertThatThrownBy(() -> cp.migCreated("a", "gpu-9", "MIG-x")).hasMessageContaining("gpu-9");
        assertThat(done.without("a").claims()).isEmpty();
        assertThat(cp).isNotSameAs(done);
    }

    @Test
    void aMissingFileIsAnEmptyCheckpoint(@TempDir Path dir) {
        assertThat(new CheckpointFile(dir, CLOCK).load("boot-1")).isInstanceOf(CheckpointFile.Missing.class)
                .extracting(CheckpointFile.Loaded::checkpoint).isEqualTo(Checkpoint.empty("boot-1"));
    }

    @Test
    void garbageIsMovedAsideWithTheReason(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("checkpoint.json"), "{\"version\":1,\"claims\":{\"x\":");
        CheckpointFile.Loaded loaded = new CheckpointFile(dir, CLOCK).load("boot-1");

        assertThat(loaded).isInstanceOf(CheckpointFile.Corrupt.class);
        CheckpointFile.Corrupt corrupt = (CheckpointFile.Corrupt) loaded;
        assertThat(corrupt.reason()).contains("not JSON");
        assertThat(corrupt.movedTo()).exists().hasFileName("checkpoint.json.corrupt-20261123T040000.000");
        assertThat(dir.resolve("checkpoint.json")).doesNotExist();
        assertThat(corrupt.checkpoint().claims()).isEmpty();
    }

    @Test
    void aCheckpointFromANewerDriverIsNotMisreadButMovedAside(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("checkpoint.json"), "{\"version\":2,\"nodeBootId\":\"b\",\"claims\":{}}");
        CheckpointFile.Loaded loaded = new CheckpointFile(dir, CLOCK).load("boot-1");
        assertThat(loaded).isInstanceOfSatisfying(CheckpointFile.Corrupt.class,
                c -> assertThat(c.reason()).contains("version 2"));
    }

    @Test
    void unknownFieldsAndBadStatesAreCorruption() {
        assertThatThrownBy(() -> CheckpointFile.decode("{\"version\":1,\"nodeBootId\":\"b\",\"claims\":{},\"extra\":1}".getBytes()))
                .hasMessageContaining("extra");
        assertThatThrownBy(() -> CheckpointFile.decode(("{\"version\":1,\"nodeBootId\":\"b\",\"claims\":{\"u\":{\"uid\":\"u\","
                + "\"namespace\":\"n\",\"name\":\"c\",\"state\":\"Halfway\",\"devices\":[],\"migDevices\":[]}}}").getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
