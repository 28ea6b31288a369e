package dev.sluice.job.enrich;

import dev.sluice.job.config.EnrichmentSpec;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.MetricGroup;

/**
 * One configured lookup at run time, in one subtask: renders the request from a row, answers from
 * its cache or asks the datastore (bounded in-flight requests, a timeout per attempt, retries with
 * back-off), and records metrics. Cached answers are tagged with the block of the row that asked,
 * so a chain reorg can drop the answers of rolled-back blocks.
 */
public final class Lookup implements AutoCloseable {

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
        throw new UnsupportedOperationException("not built yet");
    }

    /** The row columns the lookup reads (template variables, SQL parameters). */
    public static Set<String> columnsRead(EnrichmentSpec spec) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** {@code rowTypes} as given to {@link #describe}. */
    public Lookup(EnrichmentSpec spec, Map<String, String> rowTypes) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Connects and registers metrics under {@code group}. */
    public void open(MetricGroup group) throws Exception {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * The lookup's answer for {@code row} (column → value). Never completes exceptionally: after
     * the last retry it completes with {@link LookupResult#failed}. {@code block} is the row's
     * block on Amp pipelines, or -1.
     */
    public CompletableFuture<LookupResult> lookup(Map<String, Object> row, long block) {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * Drops cached answers asked for by rows of block {@code fromBlock} or later; answers still in
     * flight that were asked before this call are not cached.
     */
    public void rollback(long fromBlock) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() throws Exception {}
}
