package dev.tangram.inference.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that split a range of work items between them and the calling thread. One
 * {@link #run} at a time (calls are serialised); a run allocates nothing. Workers spin briefly, then park, between runs.
 */
public final class WorkerPool implements AutoCloseable {
    /** A share of the work: items {@code [from, to)}, done by participant {@code worker} ({@code 0 .. size()-1}). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    private static final int SPINS = 2_000;

    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long generation;
    private volatile boolean closed;
    private RangeTask task;
    private int items;
    private int grain;

    /** A pool of {@code threads} participants: the caller plus {@code threads - 1} workers. */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread");
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("tangram-kernel-" + id).unstarted(() -> loop(id));
            workers[i].start();
        }
    }

    /** One participant per available processor. */
    public static WorkerPool ofAvailableProcessors() {
        return new WorkerPool(Runtime.getRuntime().availableProcessors());
    }

    public int size() {
        return workers.length + 1;
    }

    /** Runs {@code task} over items {@code [0, items)} in shares of {@code grain}, returning when all are done. */
    public synchronized void run(int items, int grain, RangeTask task) {
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        if (items <= 0) {
            return;
        }
        if (workers.length == 0 || items <= grain) {
            task.run(0, items, 0);
            return;
        }
        this.task = task;
        this.items = items;
        this.grain = Math.max(1, grain);
        next.set(0);
        pending.set(workers.length);
        generation++; // publishes the fields above to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(0);
        // on a shared machine a worker may be descheduled while it holds a share: after a short spin, give the core up
        // (to it, among others) instead of burning the rest of this thread's time slice
        for (int spins = 0; pending.get() != 0; spins++) {
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        this.task = null;
        Throwable t = failure.getAndSet(null);
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void work(int worker) {
        RangeTask t = task;
        int n = items;
        int g = grain;
        try {
            for (int from = next.getAndAdd(g); from < n; from = next.getAndAdd(g)) {
                t.run(from, Math.min(n, from + g), worker);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            next.set(n);
        }
    }

    private void loop(int id) {
        long seen = 0;
        int idle = 0;
        while (!closed) {
            long g = generation;
            if (g == seen) {
                if (++idle < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                continue;
            }
            idle = 0;
            seen = g;
            work(id);
            pending.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
