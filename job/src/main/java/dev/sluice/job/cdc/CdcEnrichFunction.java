package dev.sluice.job.cdc;

import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.job.enrich.RowEnricher;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The lookups of a CDC pipeline, run by Flink's async operator (ordered, so every key's changes
 * stay in order; in-flight changes are part of checkpoints and re-run after a restore). A delete is
 * not looked up: only its key reaches the target. A dead letter travels on as a marked change to
 * the merge, which writes it to the dead-letter table.
 */
final class CdcEnrichFunction extends RichAsyncFunction<CdcChange, CdcChange>
        implements ResultTypeQueryable<CdcChange> {

    private static final long serialVersionUID = 1L;

    private final RowEnricher enricher;
    private final String[] outputColumns;
    private final String[] outputTypes;
    private final Duration timeout;

    CdcEnrichFunction(RowEnricher enricher, Duration timeout) {
        this.enricher = enricher;
        Map<String, String> outputs = enricher.outputTypes();
        this.outputColumns = outputs.keySet().toArray(new String[0]);
        this.outputTypes = outputs.values().toArray(new String[0]);
        this.timeout = timeout;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        enricher.open(getRuntimeContext().getMetricGroup().addGroup("enrichment"));
    }

    /** Tells the async operator the output type: it cannot infer it. */
    @Override
    public TypeInformation<CdcChange> getProducedType() {
        return CdcChange.typeInfo();
    }

    @Override
    public void close() throws Exception {
        enricher.close();
    }

    @Override
    public void asyncInvoke(CdcChange change, ResultFuture<CdcChange> result) {
        if (change.op() == Op.DELETE) {
            result.complete(List.of(withOutputs(change, null)));
            return;
        }
        Map<String, Object> row = MappedRow.of(change).asMap();
        enricher.enrich(row, -1)
                .whenComplete(
                        (outcome, error) -> {
                            if (error != null) {
                                result.completeExceptionally(unwrap(error));
                            } else if (outcome.isDeadLetter()) {
                                result.complete(
                                        List.of(
                                                DeadLetters.cdc(
                                                        enricher.pipeline(),
                                                        outcome.deadLookup,
                                                        outcome.error,
                                                        MappedRow.of(change).asMap(),
                                                        change.lsn())));
                            } else {
                                result.complete(List.of(withOutputs(change, outcome.row)));
                            }
                        });
    }

    @Override
    public void timeout(CdcChange change, ResultFuture<CdcChange> result) {
        result.completeExceptionally(
                new TimeoutException(
                        "Pipeline "
                                + enricher.pipeline()
                                + ": the lookups of one change took longer than "
                                + timeout
                                + " in all (retries and queueing included); raise the lookups'"
                                + " timeout or max_in_flight, or check the lookup services"));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause()
                : t;
    }

    /** {@code change} with the lookups' columns appended (null for a delete). */
    private CdcChange withOutputs(CdcChange change, Map<String, Object> row) {
        int n = change.columnCount();
        String[] columns = Arrays.copyOf(change.columns(), n + outputColumns.length);
        String[] types = Arrays.copyOf(change.types(), n + outputColumns.length);
        Object[] values = new Object[n + outputColumns.length];
        boolean deleted = change.op() == Op.DELETE;
        Object[] own = deleted ? change.beforeValues() : change.afterValues();
        System.arraycopy(own, 0, values, 0, n);
        boolean[] unchanged = deleted ? null : new boolean[values.length];
        for (int i = 0; i < outputColumns.length; i++) {
            columns[n + i] = outputColumns[i];
            types[n + i] = outputTypes[i];
            values[n + i] = row == null ? null : row.get(outputColumns[i]);
        }
        if (unchanged != null) {
            for (int i = 0; i < n; i++) {
                unchanged[i] = change.unchanged(i);
            }
        }
        return new CdcChange(
                change.op(),
                change.schema(),
                change.table(),
                columns,
                types,
                deleted ? values : null,
                deleted ? null : values,
                unchanged,
                change.lsn());
    }
}
