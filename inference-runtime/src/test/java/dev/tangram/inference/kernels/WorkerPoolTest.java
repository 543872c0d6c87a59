package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerPoolTest {
    /** A share a participant ran. */
    private record Share(int from, int to, int worker) {}

    @ParameterizedTest
    @CsvSource({"1, 100, 7", "2, 1, 1", "2, 1000, 1", "2, 1000, 33", "3, 10, 4", "4, 4097, 64", "4, 3, 1", "8, 100000, 17"})
    void everyItemRunsExactlyOnceRunAfterRun(int threads, int items, int grain) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int run = 0; run < 20; run++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(items);
                pool.run(items, grain, (from, to, worker) -> {
                    // a pool of one runs everything as one share
                    assertThat(to - from).isBetween(1, threads == 1 ? items : grain);
                    assertThat(worker).isBetween(0, threads - 1);
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < items; i++) {
                    assertThat(seen.get(i)).as("item %d of run %d", i, run).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void eachParticipantWorksThroughItsOwnStretchFrontToBackAndOthersTakeFromItsBack() throws InterruptedException {
        int threads = 2;
        int items = 64;
        int grain = 4;
        List<Share> shares = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch callerStarted = new CountDownLatch(1);
        CountDownLatch stolen = new CountDownLatch(1);
        try (WorkerPool pool = new WorkerPool(threads)) {
            pool.run(items, grain, (from, to, worker) -> {
                shares.add(new Share(from, to, worker));
                if (worker == 0 && from == 0) {
                    // the caller stalls on its first share until the worker has finished its own stretch and started on
                    // the caller's from the back
                    callerStarted.countDown();
                    await(stolen, "the worker took from the caller's stretch");
                } else if (worker == 1 && to <= items / 2) {
                    stolen.countDown();
                } else if (worker == 1) {
                    await(callerStarted, "the caller took its first share");
                }
            });
        }
        for (int worker = 0; worker < threads; worker++) {
            int start = items * worker / threads;
            int end = items * (worker + 1) / threads;
            int w = worker;
            List<Share> own = shares.stream().filter(s -> s.worker() == w && s.from() >= start && s.to() <= end).toList();
            assertThat(own).as("participant %d runs shares of its stretch", worker).isNotEmpty();
            int expected = start;
            for (Share s : own) {
                assertThat(s.from()).as("participant %d's shares of its own stretch follow one another from its front", worker).isEqualTo(expected);
                expected = s.to();
            }
        }
        List<Share> takenFromTheCaller = shares.stream().filter(s -> s.worker() == 1 && s.to() <= items / 2).toList();
        assertThat(takenFromTheCaller).isNotEmpty();
        int back = items / 2;
        for (Share s : takenFromTheCaller) {
            assertThat(s.to()).as("shares taken from another's stretch come from its back").isEqualTo(back);
            back = s.from();
        }
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).as(what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailingShareFailsTheRunAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> pool.run(100, 5, (from, to, worker) -> {
                if (from <= 60 && 60 < to) {
                    throw new IllegalArgumentException("item 60 is bad");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("item 60 is bad");
            AtomicIntegerArray seen = new AtomicIntegerArray(100);
            pool.run(100, 5, (from, to, worker) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertThat(seen.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        assertThatThrownBy(() -> pool.run(10, 1, (from, to, worker) -> {})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
