package dev.tangram.deviceplugin.health;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.deviceplugin.MutableClock;
import dev.tangram.deviceplugin.config.HealthConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTrackerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final HealthTracker tracker = new HealthTracker(new HealthConfig(Set.of(13, 43), Duration.ofMinutes(5)), clock);
    private final String gpu = GpuFixtures.gpuUuid(2);

    @Test
    void anIgnoredXidChangesNothing() {
        assertThat(tracker.onEvent(GpuEvent.xid(gpu, 43, clock.instant()))).isEqualTo(new HealthTracker.Outcome(false, true));
        assertThat(tracker.isHealthy(gpu)).isTrue();
    }

    @Test
    void aCriticalXidMarksTheGpuAndItsReplicasAndMigSiblingsFollowInTheInventory() {
        assertThat(tracker.onEvent(GpuEvent.xid(gpu, 79, clock.instant())).changed()).isTrue();
        var inv = tracker.apply(GpuFixtures.dgxH100("n"));
        assertThat(inv.gpu(gpu).orElseThrow().health().reason()).isEqualTo("Xid 79");
        assertThat(inv.gpus().stream().filter(g -> !g.health().healthy()).count()).isEqualTo(1);
    }

    @Test
    void recoversOnlyAfterAQuietPeriodWithoutNewEvents() {
        tracker.onEvent(GpuEvent.xid(gpu, 48, clock.instant()));
        clock.advance(Duration.ofMinutes(3));
        tracker.onEvent(GpuEvent.xid(gpu, 48, clock.instant())); // a new event restarts the quiet period
        clock.advance(Duration.ofMinutes(4));
        assertThat(tracker.recover(u -> true)).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(tracker.recover(u -> true)).containsExactly(gpu);
        assertThat(tracker.isHealthy(gpu)).isTrue();
    }

    @Test
    void doesNotRecoverWhileTheProbeReportsTheGpuUnwell() {
        tracker.onEvent(GpuEvent.xid(gpu, 79, clock.instant()));
        clock.advance(Duration.ofMinutes(10));
        assertThat(tracker.recover(u -> false)).isEmpty();
        assertThat(tracker.recover(u -> true)).containsExactly(gpu);
    }

    @Test
    void aLostGpuStaysUnhealthyUntilItIsRecoveredAndQuiet() {
        tracker.onEvent(GpuEvent.lost(gpu, clock.instant()));
        clock.advance(Duration.ofMinutes(10));
        assertThat(tracker.recover(u -> true)).isEmpty();
        tracker.onEvent(GpuEvent.recovered(gpu, clock.instant()));
        assertThat(tracker.recover(u -> true)).containsExactly(gpu);
    }
}
