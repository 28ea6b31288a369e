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
