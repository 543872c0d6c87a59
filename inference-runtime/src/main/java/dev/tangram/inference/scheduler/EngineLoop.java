package dev.tangram.inference.scheduler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one engine thread: steps the scheduler while there is work, sleeps when there is none, and wakes on a
 * submission or cancellation.
 */
public final class EngineLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLoop.class);

    private final ContinuousBatchScheduler scheduler;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private volatile boolean stopping;

    public EngineLoop(ContinuousBatchScheduler scheduler) {
        this.scheduler = scheduler;
        this.thread = Thread.ofPlatform().name("tangram-engine").daemon(true).unstarted(this::run);
    }

    public EngineLoop start() {
        thread.start();
        return this;
    }

    public ContinuousBatchScheduler scheduler() {
        return scheduler;
    }

    /** Submits and wakes the engine. */
    public Admission submit(GenerationRequest request) {
        Admission a = scheduler.submit(request);
        signal();
        return a;
    }

    /** Cancels and wakes the engine, which releases the request's blocks before its next forward pass. */
    public void cancel(String requestId) {
        scheduler.cancel(requestId);
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!stopping) {
            try {
                if (scheduler.hasWork()) {
                    scheduler.step();
                    continue;
                }
                lock.lock();
                try {
                    while (!stopping && !scheduler.hasWork()) {
                        wake.await();
                    }
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("engine step failed; failing every request in flight", e);
                scheduler.failAll("the engine failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        signal();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
