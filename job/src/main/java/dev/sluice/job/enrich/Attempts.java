package dev.sluice.job.enrich;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request: each attempt gets {@code timeout}, a retriable failure is tried again up to
 * {@code retries} times after an exponential back-off (from {@code backoff}, doubled each time,
 * capped at {@link #MAX_BACKOFF}, with ±25% jitter so subtasks do not retry in step), and a
 * permanent failure or the last retriable one ends it with a {@link LookupException}.
 */
final class Attempts {

    private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String lookup;
    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final ScheduledExecutorService timer;
    private final Runnable onRetry;
    private final java.util.function.UnaryOperator<String> redact;

    Attempts(
            String lookup,
            Duration timeout,
            int retries,
            Duration backoff,
            ScheduledExecutorService timer,
            Runnable onRetry,
            java.util.function.UnaryOperator<String> redact) {
        this.redact = redact;
        this.lookup = lookup;
        this.timeout = timeout;
        this.retries = Math.max(0, retries);
        this.backoff = backoff;
        this.timer = timer;
        this.onRetry = onRetry;
    }

    /**
     * Completes with the answer, or exceptionally with the {@link LookupException} that ended it.
     */
    CompletableFuture<Map<String, Object>> run(
            Supplier<CompletableFuture<Map<String, Object>>> attempt) {
        CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
        attempt(attempt, 1, result);
        return result;
    }

    private void attempt(
            Supplier<CompletableFuture<Map<String, Object>>> attempt,
            int number,
            CompletableFuture<Map<String, Object>> result) {
        if (result.isDone()) {
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        CompletableFuture<Map<String, Object>> f;
        try {
            f = attempt.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Map<String, Object>> running = f;
        java.util.concurrent.ScheduledFuture<?> deadline;
        try {
            deadline = schedule(attempt, number, result, settled, running);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            running.cancel(true);
            result.completeExceptionally(
                    new LookupException("Lookup " + lookup + " was closed", false, e));
            return;
        }
        f.whenComplete(
                (values, error) -> {
                    if (!settled.compareAndSet(false, true)) {
                        return;
                    }
                    deadline.cancel(false);
                    if (error == null) {
                        result.complete(values);
                    } else {
                        failed(attempt, number, result, classify(error));
                    }
                });
    }

    /** Fails the attempt with a timeout unless it settles first. */
    private java.util.concurrent.ScheduledFuture<?> schedule(
            Supplier<CompletableFuture<Map<String, Object>>> attempt,
            int number,
            CompletableFuture<Map<String, Object>> result,
            AtomicBoolean settled,
            CompletableFuture<Map<String, Object>> running) {
        return timer.schedule(
                () -> {
                    if (settled.compareAndSet(false, true)) {
                        running.cancel(true);
                        failed(
                                attempt,
                                number,
                                result,
                                LookupException.retriable(
                                        "no answer within " + human(timeout), null));
                    }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void failed(
            Supplier<CompletableFuture<Map<String, Object>>> attempt,
            int number,
            CompletableFuture<Map<String, Object>> result,
            LookupException error) {
        int attempts = retries + 1;
        if (!error.retriable || number >= attempts) {
            String message =
                    error.retriable
                            ? "Lookup "
                                    + lookup
                                    + " failed after "
                                    + number
                                    + (number == 1 ? " attempt: " : " attempts: ")
                                    + error.getMessage()
                            : "Lookup " + lookup + " failed: " + error.getMessage();
            result.completeExceptionally(new LookupException(message, false, error));
            return;
        }
        onRetry.run();
        long delay = delayNanos(number);
        LOG.warn(
                "Lookup {}: attempt {} of {} failed ({}); retrying in {} ms",
                lookup,
                number,
                attempts,
                redact.apply(error.getMessage()),
                TimeUnit.NANOSECONDS.toMillis(delay));
        try {
            timer.schedule(() -> attempt(attempt, number + 1, result), delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(
                    new LookupException("Lookup " + lookup + " closed while retrying", false, e));
        }
    }

    /** The back-off before attempt {@code failed + 1}. */
    long delayNanos(int failed) {
        long base = Math.max(0, backoff.toNanos());
        long d = base;
        for (int i = 1; i < failed && d < MAX_BACKOFF.toNanos(); i++) {
            d *= 2;
        }
        d = Math.min(d, Math.max(base, MAX_BACKOFF.toNanos()));
        double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return (long) (d * jitter);
    }

    private static LookupException classify(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof LookupException) {
            return (LookupException) e;
        }
        if (e instanceof CancellationException) {
            return LookupException.retriable("cancelled", e);
        }
        return LookupException.permanent(String.valueOf(e), e);
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
