package dev.sluice.job.enrich;

import dev.sluice.job.config.EnrichmentSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where one type of lookup asks (PostgreSQL, Redis, HTTP): renders a request from a row and makes
 * one attempt at a time. Caching, retries, timeouts and the in-flight bound are {@link Lookup}'s.
 */
interface LookupBackend extends AutoCloseable {

    /** A rendered request; equal keys mean equal answers (the cache key). */
    interface Request {
        String cacheKey();
    }

    /**
     * The backend of {@code spec}, with its templates or SQL parsed. With {@code rowTypes}, every
     * variable and parameter must be one of its columns; without (null), nothing is checked.
     */
    static LookupBackend create(EnrichmentSpec spec, Map<String, String> rowTypes)
            throws LookupSetupException {
        checkLimits(spec);
        switch (spec.type) {
            case SQL:
                return new SqlLookup(spec, rowTypes);
            case REDIS:
                return new RedisLookup(spec, rowTypes);
            case HTTP:
                return new HttpLookup(spec, rowTypes);
            default:
                throw new IllegalStateException("unknown lookup type " + spec.type);
        }
    }

    /** The timing and size settings {@link Lookup} relies on; the config loader sets defaults. */
    private static void checkLimits(EnrichmentSpec spec) throws LookupSetupException {
        String problem = null;
        if (spec.timeout == null || spec.timeout.isZero() || spec.timeout.isNegative()) {
            problem = "timeout must be positive, not " + spec.timeout;
        } else if (spec.retries < 0) {
            problem = "retries must be 0 or more, not " + spec.retries;
        } else if (spec.backoff == null || spec.backoff.isNegative()) {
            problem = "backoff must be 0 or more, not " + spec.backoff;
        } else if (spec.maxInFlight < 1) {
            problem = "max_in_flight must be 1 or more, not " + spec.maxInFlight;
        } else if (spec.cacheSize < 0) {
            problem = "cache_size must be 0 (off) or more, not " + spec.cacheSize;
        } else if (spec.cacheSize > 0
                && (spec.cacheTtl == null
                        || spec.cacheTtl.isZero()
                        || spec.cacheTtl.isNegative())) {
            problem = "cache_ttl must be positive with a cache, not " + spec.cacheTtl;
        }
        if (problem != null) {
            throw new LookupSetupException("Lookup " + spec.name + ": " + problem, null);
        }
    }

    /** Output column → PostgreSQL type, in order; SQL prepares its query on its datastore. */
    Map<String, String> describe() throws LookupSetupException;

    /** The row columns requests are made of. */
    Set<String> columnsRead();

    /** The requests that may be outstanding at once, given the configured {@code maxInFlight}. */
    default int maxInFlight(int configured) {
        return configured;
    }

    /** Connects; called once before the first {@link #fetch}. */
    void open() throws Exception;

    /**
     * The request for {@code row}, or null when a value it needs is null (the lookup is skipped).
     *
     * @throws LookupException when the request cannot be made from this row
     */
    Request request(Map<String, Object> row) throws LookupException;

    /**
     * One attempt: output column → value (all null when there is no answer), or completes with a
     * {@link LookupException}. {@code timeout} is a hint for the client; {@link Attempts} enforces
     * it and cancels the returned future when it passes.
     */
    CompletableFuture<Map<String, Object>> fetch(Request request, Duration timeout);
}
