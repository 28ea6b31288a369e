package dev.sluice.job.amp;

import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.job.enrich.RowEnricher.Outcome;
import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The lookups of an Amp pipeline, after the reorg operator and before the sink, in Flink's ordered
 * async operator: a rollback passes in stream order, after the rows it undoes and before their
 * replacements. Enriched rows are versioned by block: a rollback drops the cached answers of the
 * rolled-back blocks (and the dead letters of those blocks), so re-streamed rows are looked up
 * again. A batch's rows become row inserts with the lookup columns; rows equal in every column the
 * lookups read are looked up once.
 */
final class AmpEnrichFunction extends RichAsyncFunction<PostgresSinkRecord, PostgresSinkRecord>
        implements ResultTypeQueryable<PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;

    private final Map<TableRef, AmpTableEnrichment> tables;
    private final Duration timeout;

    private transient BufferAllocator allocator;

    AmpEnrichFunction(Map<TableRef, AmpTableEnrichment> tables, Duration timeout) {
        this.tables = new HashMap<>(tables);
        this.timeout = timeout;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        allocator = new RootAllocator();
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("enrichment");
        for (AmpTableEnrichment t : tables.values()) {
            t.enricher.open(group.addGroup("table", t.target.table()));
        }
    }

    /** Tells the async operator the output type: it cannot infer it. */
    @Override
    public TypeInformation<PostgresSinkRecord> getProducedType() {
        return PostgresSinkRecord.typeInfo();
    }

    @Override
    public void close() throws Exception {
        for (AmpTableEnrichment t : tables.values()) {
            t.enricher.close();
        }
        if (allocator != null) {
            allocator.close();
        }
    }

    @Override
    public void asyncInvoke(PostgresSinkRecord record, ResultFuture<PostgresSinkRecord> result)
            throws Exception {
        AmpTableEnrichment table = tables.get(record.table());
        if (record instanceof RollbackRecord) {
            RollbackRecord r = (RollbackRecord) record;
            List<PostgresSinkRecord> out = new ArrayList<>();
            out.add(r);
            // One chain: a reorg invalidates what any table's lookups learnt from its blocks.
            for (AmpTableEnrichment t : tables.values()) {
                t.enricher.rollback(r.fromBlock());
            }
            if (table != null && table.deadLetters != null) {
                out.add(new RollbackRecord(table.deadLetters, r.network(), r.fromBlock()));
            }
            result.complete(out);
            return;
        }
        if (table == null) {
            result.complete(List.of(record));
            return;
        }
        List<Row> rows = rows(record, table);
        if (rows == null) {
            result.complete(List.of(record)); // a delete, DDL: nothing to look up
            return;
        }
        enrich(table, rows)
                .whenComplete(
                        (records, error) -> {
                            if (error != null) {
                                result.completeExceptionally(
                                        error instanceof CompletionException
                                                        && error.getCause() != null
                                                ? error.getCause()
                                                : error);
                            } else {
                                result.complete(records);
                            }
                        });
    }

    @Override
    public void timeout(PostgresSinkRecord record, ResultFuture<PostgresSinkRecord> result) {
        result.completeExceptionally(
                new TimeoutException(
                        "Enriching a batch of "
                                + record.table()
                                + " took longer than "
                                + timeout
                                + " in all (retries and queueing included); raise the lookups'"
                                + " timeout or max_in_flight, or check the lookup services"));
    }

    /** One row: its values by column (in column order) and its block. */
    private static final class Row {
        final Map<String, Object> values;
        final long block;

        Row(Map<String, Object> values, long block) {
            this.values = values;
            this.block = block;
        }
    }

    /** The rows of a batch; null for anything else. */
    private List<Row> rows(PostgresSinkRecord record, AmpTableEnrichment table) throws Exception {
        if (record instanceof ArrowBatchRecord) {
            List<Row> rows = new ArrayList<>();
            try (ArrowStreamReader reader =
                    new ArrowStreamReader(
                            new ByteArrayInputStream(((ArrowBatchRecord) record).arrowIpc()),
                            allocator)) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                while (reader.loadNextBatch()) {
                    List<FieldVector> vectors = root.getFieldVectors();
                    for (int i = 0; i < root.getRowCount(); i++) {
                        Map<String, Object> values = new LinkedHashMap<>();
                        for (FieldVector v : vectors) {
                            values.put(v.getName(), ArrowRows.value(v, i));
                        }
                        rows.add(new Row(values, blockOf(values)));
                    }
                }
            }
            return rows;
        }
        return null;
    }

    private static long blockOf(Map<String, Object> values) {
        Object b = values.get(DeadLetters.BLOCK_NUM);
        return b instanceof Number ? ((Number) b).longValue() : -1;
    }

    /** Looks every distinct input up once, then builds the records in row order. */
    private CompletableFuture<List<PostgresSinkRecord>> enrich(
            AmpTableEnrichment table, List<Row> rows) {
        Map<List<Object>, List<Row>> groups = new LinkedHashMap<>();
        for (Row row : rows) {
            List<Object> key = new ArrayList<>(table.lookupInputs.size());
            for (String c : table.lookupInputs) {
                Object v = row.values.get(c);
                key.add(v instanceof byte[] ? java.nio.ByteBuffer.wrap((byte[]) v) : v);
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        Map<Row, CompletableFuture<Outcome>> answers = new HashMap<>();
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        for (List<Row> group : groups.values()) {
            Row first = group.get(0);
            long block = group.stream().mapToLong(r -> r.block).max().orElse(-1);
            CompletableFuture<Outcome> f =
                    table.enricher.enrich(new LinkedHashMap<>(first.values), block);
            group.forEach(r -> answers.put(r, f));
            all.add(f);
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                .thenApply(
                        done -> {
                            List<PostgresSinkRecord> out = new ArrayList<>(rows.size());
                            for (Row row : rows) {
                                build(table, row, answers.get(row).join(), out);
                            }
                            return out;
                        });
    }

    private void build(
            AmpTableEnrichment table, Row row, Outcome outcome, List<PostgresSinkRecord> out) {
        if (outcome.isDeadLetter()) {
            out.add(
                    RowChangeRecord.insert(
                            table.deadLetters,
                            DeadLetters.names(true),
                            DeadLetters.values(
                                    table.pipeline,
                                    outcome.deadLookup,
                                    outcome.error,
                                    row.values,
                                    row.block)));
            return;
        }
        Map<String, Object> values = new LinkedHashMap<>(row.values);
        for (Map.Entry<String, Object> e : outcome.row.entrySet()) {
            values.putIfAbsent(e.getKey(), e.getValue());
        }
        if (table.complete(values)) {
            out.add(
                    RowChangeRecord.insert(
                            table.target,
                            values.keySet().toArray(new String[0]),
                            values.values().toArray()));
        }
    }
}
