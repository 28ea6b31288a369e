package dev.sluice.job.enrich;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * At most {@code max} requests outstanding; more wait in a queue without blocking the caller, and
 * each {@link #release} starts the next one on {@code starter} (never on the releasing client
 * thread's stack, so a long queue of quick failures cannot overflow it).
 */
final class InFlightLimit {

    private final int max;
    private final Executor starter;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;

    InFlightLimit(int max, Executor starter) {
        this.max = Math.max(1, max);
        this.starter = starter;
    }

    /** Runs {@code start} now if a slot is free, else when one is; it must {@link #release}. */
    void submit(Runnable start) {
        synchronized (this) {
            if (running >= max) {
                waiting.add(start);
                return;
            }
            running++;
        }
        start.run();
    }

    /** The request that held a slot is done. */
    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
                return;
            }
        }
        try {
            starter.execute(next);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the lookup is closing: close() fails the waiting results
        }
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
