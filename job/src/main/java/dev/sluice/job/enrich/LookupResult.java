package dev.sluice.job.enrich;

import java.util.Map;

/**
 * The outcome of one lookup for one row: the output columns' values (all null when the other side
 * has no answer for the row, e.g. no SQL row, a missing Redis key or an HTTP 404), or the error
 * that remained after every retry. Never both.
 */
public final class LookupResult {

    private final Map<String, Object> values;
    private final String error;

    private LookupResult(Map<String, Object> values, String error) {
        this.values = values;
        this.error = error;
    }

    /** Output column → value, in output order; values may be null. */
    public static LookupResult of(Map<String, Object> values) {
        return new LookupResult(values, null);
    }

    /** A failure; {@code error} says what failed and never contains a secret. */
    public static LookupResult failed(String error) {
        return new LookupResult(null, error);
    }

    public boolean failed() {
        return error != null;
    }

    public Map<String, Object> values() {
        return values;
    }

    public String error() {
        return error;
    }

    @Override
    public String toString() {
        return error != null ? "Failed(" + error + ")" : "Values" + values;
    }
}
