package dev.sluice.sinks.postgres.internal;

import java.time.Duration;

/** Exponential back-off between retries; sleeps on the calling thread. */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final int maxAttempts;
    private int attempt;

    public Backoff(Duration initial, Duration max, int maxAttempts) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.maxAttempts = maxAttempts;
    }

    public static Backoff of(PostgresSinkConfig config) {
        return new Backoff(config.initialBackoff, config.maxBackoff, config.maxAttempts);
    }

    /** Attempts made so far. */
    public int attempts() {
        return attempt;
    }

    /** Whether another attempt is allowed; sleeps before it. Restores the interrupt flag. */
    public boolean retry() throws InterruptedException {
        if (++attempt >= maxAttempts) {
            return false;
        }
        long delay = Math.min(maxMillis, initialMillis << Math.min(20, attempt - 1));
        Thread.sleep(delay);
        return true;
    }
}
