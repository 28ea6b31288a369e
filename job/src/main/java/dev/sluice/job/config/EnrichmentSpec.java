package dev.sluice.job.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One lookup of a pipeline's {@code enrichment} list, validated: where it looks (a SQL query, a
 * Redis key or an HTTP path, each filled from the row), which target columns it produces, and how
 * it behaves when the other side is slow, failing or missing the row.
 */
public final class EnrichmentSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where a lookup goes. */
    public enum Type {
        SQL,
        REDIS,
        HTTP
    }

    /** What a row gets when its lookup fails after all retries. */
    public enum OnError {
        /** The job fails (and restarts from its last checkpoint): the default. */
        FAIL,
        /** The lookup's columns are null and the row goes on. */
        NULL,
        /** The row goes to the pipeline's dead-letter table with the error, not to the target. */
        DEAD_LETTER;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One output column: where its value is in the answer, and its type. */
    public static final class Output implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * HTTP: a JSON path ({@code $.a.b[0]}); Redis: a hash field, or a JSON path into a string
         * value ({@code $} is the whole value); SQL: the result column.
         */
        public final String from;

        /** The column's type, or null for the lookup's natural type (text for HTTP and Redis). */
        public final DataType dtype;

        public Output(String from, DataType dtype) {
            this.from = from;
            this.dtype = dtype;
        }

        @Override
        public String toString() {
            return from + (dtype == null ? "" : " (" + dtype.key + ")");
        }
    }

    public final String name;
    public final Type type;
    public final Datastore datastore;

    /** SQL: the query, with {@code :column} parameters bound from the row. */
    public final String sql;

    /** Redis: the key template, e.g. {@code user:{{ id }}}. */
    public final String key;

    /** HTTP: the path template, appended to the datastore's URL; values are percent-encoded. */
    public final String path;

    /** HTTP: GET or POST. */
    public final String method;

    /** HTTP POST: the body template (sent as application/json), or null. */
    public final String body;

    /** Target column → where it comes from; for SQL empty means every column of the query. */
    public final Map<String, Output> output;

    public final OnError onError;
    public final Duration timeout;
    public final int retries;
    public final Duration backoff;

    /** Cached answers per subtask; 0 switches the cache off. */
    public final long cacheSize;

    public final Duration cacheTtl;

    /** Requests of this lookup in flight at once, per subtask. */
    public final int maxInFlight;

    public EnrichmentSpec(
            String name,
            Type type,
            Datastore datastore,
            String sql,
            String key,
            String path,
            String method,
            String body,
            Map<String, Output> output,
            OnError onError,
            Duration timeout,
            int retries,
            Duration backoff,
            long cacheSize,
            Duration cacheTtl,
            int maxInFlight) {
        this.name = name;
        this.type = type;
        this.datastore = datastore;
        this.sql = sql;
        this.key = key;
        this.path = path;
        this.method = method;
        this.body = body;
        this.output = new LinkedHashMap<>(output);
        this.onError = onError;
        this.timeout = timeout;
        this.retries = retries;
        this.backoff = backoff;
        this.cacheSize = cacheSize;
        this.cacheTtl = cacheTtl;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public String toString() {
        return "Enrichment{" + name + ", " + type.name().toLowerCase(java.util.Locale.ROOT) + '}';
    }
}
