package dev.sluice.job.enrich;

import dev.sluice.job.config.EnrichmentSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Preconditions;

/**
 * One configured lookup at run time, in one subtask: renders the request from a row, answers from
 * its cache or asks the datastore (bounded in-flight requests, a timeout per attempt, retries with
 * back-off), and records metrics. Cached answers are tagged with the block of the row that asked,
 * so a chain reorg can drop the answers of rolled-back blocks.
 *
 * <p>No answer (no SQL row, a missing Redis key or field, HTTP 404) gives null outputs, and so does
 * a row whose template reads a null value: its request is skipped (SQL parameters bind NULL
 * instead). Failures that may pass (timeouts, lost connections, HTTP 429 and 5xx, SQL connection,
 * cancel and serialization errors) are retried; the rest fail the row at once. A failed result
 * names the lookup and never holds a datastore secret. Failed answers are never cached.
 *
 * <p>Requests are rendered on the caller's thread ({@link #lookup} is called by the task thread);
 * answers complete the returned futures on client threads. Identical requests in flight at the same
 * time are sent once when the cache is on. The cache key is the rendered request: the SQL parameter
 * values, the Redis command, key and fields, or the HTTP URL and body (the method is the lookup's).
 */
public final class Lookup implements AutoCloseable {

    private final EnrichmentSpec spec;
    private final LookupBackend backend;
    private final Redactor redactor;
    private final Map<String, Object> nulls;

    private LookupCache cache;
    private InFlightLimit limit;
    private Attempts attempts;
    private LookupMetrics metrics;
    private ScheduledExecutorService timer;

    /** Requests in flight by cache key, for identical requests to share (cache on only). */
    private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();

    /** Results not yet complete: {@link #close} fails them so no caller waits forever. */
    private final Set<CompletableFuture<LookupResult>> outstanding = ConcurrentHashMap.newKeySet();

    private static final class Pending {
        final long epoch;
        final CompletableFuture<LookupResult> result;

        Pending(long epoch, CompletableFuture<LookupResult> result) {
            this.epoch = epoch;
            this.result = result;
        }
    }

    /**
     * Checks {@code spec} against the row it will see ({@code rowTypes}: column → PostgreSQL type,
     * in order) and returns its output columns with their PostgreSQL types, in order. For SQL this
     * prepares the query on its datastore (the result columns give the types).
     *
     * @throws LookupSetupException saying which lookup is wrong and how (an unknown column in a
     *     template or parameter, a query that does not prepare, an unreachable datastore)
     */
    public static Map<String, String> describe(EnrichmentSpec spec, Map<String, String> rowTypes)
            throws LookupSetupException {
        Preconditions.checkNotNull(rowTypes, "rowTypes");
        try (LookupBackend backend = LookupBackend.create(spec, rowTypes)) {
            return backend.describe();
        } catch (LookupSetupException e) {
            throw e;
        } catch (Exception e) {
            throw new LookupSetupException("Lookup " + spec.name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The row columns the lookup reads (template variables, SQL parameters).
     *
     * @throws IllegalArgumentException when a template or the SQL does not parse ({@link #describe}
     *     says the same as a {@link LookupSetupException})
     */
    public static Set<String> columnsRead(EnrichmentSpec spec) {
        try (LookupBackend backend = LookupBackend.create(spec, null)) {
            return backend.columnsRead();
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * {@code rowTypes} as given to {@link #describe}. Parses the templates or SQL once; nothing
     * connects before {@link #open}.
     *
     * @throws IllegalArgumentException when {@link #describe} would fail without connecting
     */
    public Lookup(EnrichmentSpec spec, Map<String, String> rowTypes) {
        this.spec = Preconditions.checkNotNull(spec, "spec");
        try {
            this.backend = LookupBackend.create(spec, rowTypes);
        } catch (LookupSetupException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.redactor = new Redactor(spec.datastore);
        Map<String, Object> n = new LinkedHashMap<>();
        spec.output.keySet().forEach(k -> n.put(k, null));
        this.nulls = Collections.unmodifiableMap(n);
    }

    /** Connects and registers metrics under {@code group}. */
    public void open(MetricGroup group) throws Exception {
        metrics = new LookupMetrics(group, spec.name);
        ScheduledThreadPoolExecutor t =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread th = Executors.defaultThreadFactory().newThread(r);
                            th.setName("sluice-lookup-" + spec.name + "-timer");
                            th.setDaemon(true);
                            return th;
                        });
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        cache = new LookupCache(spec.cacheSize, spec.cacheTtl);
        limit = new InFlightLimit(backend.maxInFlight(spec.maxInFlight), timer);
        attempts =
                new Attempts(
                        spec.name,
                        spec.timeout,
                        spec.retries,
                        spec.backoff,
                        timer,
                        () -> metrics.retries.inc(),
                        redactor::redact);
        backend.open();
    }

    /**
     * The lookup's answer for {@code row} (column → value). Never completes exceptionally: after
     * the last retry it completes with {@link LookupResult#failed}. {@code block} is the row's
     * block on Amp pipelines, or -1.
     */
    public CompletableFuture<LookupResult> lookup(Map<String, Object> row, long block) {
        Preconditions.checkState(metrics != null, "Lookup %s is not open", spec.name);
        metrics.lookups.inc();
        LookupBackend.Request request;
        try {
            request = backend.request(row);
        } catch (LookupException e) {
            metrics.failures.inc();
            return CompletableFuture.completedFuture(
                    LookupResult.failed(redactor.redact(e.getMessage())));
        }
        if (request == null) {
            return CompletableFuture.completedFuture(LookupResult.of(nulls));
        }
        String key = request.cacheKey();
        Map<String, Object> cached = cache.get(key);
        if (cached != null) {
            metrics.cacheHits.inc();
            return CompletableFuture.completedFuture(LookupResult.of(cached));
        }
        long epoch = cache.epoch();
        if (cache.enabled()) {
            Pending same = inFlight.get(key);
            if (same != null && same.epoch == epoch) {
                metrics.cacheHits.inc();
                return same.result.thenApply(r -> r);
            }
        }
        metrics.cacheMisses.inc();
        CompletableFuture<LookupResult> result = new CompletableFuture<>();
        outstanding.add(result);
        Pending pending = new Pending(epoch, result);
        if (cache.enabled()) {
            inFlight.put(key, pending);
        }
        limit.submit(() -> send(request, key, block, pending));
        return result;
    }

    private void send(LookupBackend.Request request, String key, long block, Pending pending) {
        long start = System.nanoTime();
        CompletableFuture<Map<String, Object>> answer;
        try {
            answer = attempts.run(() -> backend.fetch(request, spec.timeout));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete(
                (values, error) -> {
                    limit.release();
                    metrics.latencyMs.update(
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    LookupResult r;
                    if (error == null) {
                        Map<String, Object> frozen =
                                Collections.unmodifiableMap(new LinkedHashMap<>(values));
                        cache.put(key, block, frozen, pending.epoch);
                        r = LookupResult.of(frozen);
                    } else {
                        metrics.failures.inc();
                        Throwable cause =
                                error instanceof java.util.concurrent.CompletionException
                                                && error.getCause() != null
                                        ? error.getCause()
                                        : error;
                        String message =
                                cause instanceof LookupException
                                        ? cause.getMessage()
                                        : "Lookup " + spec.name + " failed: " + cause;
                        r = LookupResult.failed(redactor.redact(message));
                    }
                    inFlight.remove(key, pending);
                    outstanding.remove(pending.result);
                    pending.result.complete(r);
                });
    }

    /**
     * Drops cached answers asked for by rows of block {@code fromBlock} or later; answers still in
     * flight that were asked before this call are not cached.
     */
    public void rollback(long fromBlock) {
        if (cache != null) {
            cache.rollback(fromBlock);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            backend.close();
        } finally {
            if (timer != null) {
                timer.shutdownNow();
            }
            for (CompletableFuture<LookupResult> f : outstanding) {
                f.complete(LookupResult.failed("Lookup " + spec.name + " was closed"));
            }
            outstanding.clear();
        }
    }
}
