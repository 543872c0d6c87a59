package dev.tangram.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tangram.sim.ReplayTest.fraction;
import static dev.tangram.sim.ReplayTest.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArrivalsTest {
    private static List<SimPod> pods() {
        List<SimPod> pods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pods.add(i % 2 == 0 ? fraction("p" + (char) ('t' - i), 300) : whole("p" + (char) ('t' - i), 1));
        }
        return pods;
    }

    @Test
    void theOrderDependsOnlyOnTheSeedNotOnTheInputOrder() {
        List<SimPod> pods = pods();
        List<SimPod> reversed = new ArrayList<>(pods);
        java.util.Collections.reverse(reversed);
        assertThat(Arrivals.of(pods, 42, 0, 10_000)).isEqualTo(Arrivals.of(reversed, 42, 0, 10_000));
        assertThat(Arrivals.of(pods, 42, 0, 10_000)).isNotEqualTo(Arrivals.of(pods, 43, 0, 10_000));
        assertThat(Arrivals.of(pods, 42, 0, 10_000)).hasSize(20).containsExactlyInAnyOrderElementsOf(pods);
    }

    @Test
    void padsWithDrawnPodsUntilTheNextWouldPassTheTuneTarget() {
        // 13,000 milli of demand; capacity 20,000 at 1.3 -> target 26,000.
        List<SimPod> order = Arrivals.of(pods(), 7, 1.3, 20_000);
        long demand = order.stream().mapToLong(SimPod::gpuMilli).sum();
        assertThat(demand).isLessThanOrEqualTo(26_000).isGreaterThan(26_000 - 1000);
        assertThat(order.subList(0, 20)).containsExactlyInAnyOrderElementsOf(pods());
        assertThat(order.subList(20, order.size())).allMatch(p -> p.name().contains("-tuned-"));
    }

    @Test
    void refusesAnEmptyTraceOrANegativeTune() {
        assertThatThrownBy(() -> Arrivals.of(List.of(), 1, 1.3, 1000)).hasMessageContaining("empty");
        assertThatThrownBy(() -> Arrivals.of(pods(), 1, -1, 1000)).hasMessageContaining("tune");
    }
}
