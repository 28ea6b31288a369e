package dev.sluice.job.cdc;

import dev.sluice.job.config.MergeSpec;
import dev.sluice.job.config.MergeSpec.Strategy;
import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.ColumnDef;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Merges the changes of one unique_key into sink records by the pipeline's strategy. Keyed state
 * holds the last version written for the key (or a tombstone), which gives collapse its cancelling
 * row, fills TOAST columns an update did not send, and drops a snapshot row that arrives after a
 * streamed change of the same key. State and sink transactions are checkpointed together, so a
 * restore replays both consistently.
 */
final class CdcMergeFunction extends KeyedProcessFunction<String, CdcChange, PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;

    static final String OP_COLUMN = "_op";
    static final String LSN_COLUMN = "_lsn";

    private final TableRef table;
    private final MergeSpec merge;
    private final String[] keys;
    private final Set<String> initialColumns;
    private final TableRef deadLetters;

    private transient ValueState<CdcChange> last;
    private transient Set<String> knownColumns;

    CdcMergeFunction(
            TableRef table, MergeSpec merge, List<String> keys, Set<String> targetColumns) {
        this(table, merge, keys, targetColumns, null);
    }

    /** With {@code deadLetters}: the table that dead letters (marked changes) are written to. */
    CdcMergeFunction(
            TableRef table,
            MergeSpec merge,
            List<String> keys,
            Set<String> targetColumns,
            TableRef deadLetters) {
        this.deadLetters = deadLetters;
        this.table = table;
        this.merge = merge;
        this.keys = keys.toArray(new String[0]);
        this.initialColumns = new HashSet<>(targetColumns);
    }

    @Override
    public void open(OpenContext context) {
        last =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("last", CdcChange.typeInfo()));
        knownColumns = new HashSet<>(initialColumns);
    }

    @Override
    public void processElement(CdcChange c, Context ctx, Collector<PostgresSinkRecord> out)
            throws Exception {
        if (DeadLetters.isDeadLetter(c)) {
            // not a version of the key: leaves the key's state alone
            out.collect(RowChangeRecord.insert(deadLetters, c.columns(), c.afterValues()));
            return;
        }
        CdcChange previous = last.value();
        if (c.op() == Op.READ && previous != null) {
            return; // a streamed change of this key is newer than the snapshot row
        }
        boolean live = previous != null && previous.op() != Op.DELETE;
        List<String> columns = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < c.columnCount(); i++) {
            String column = c.column(i);
            if (!knownColumns.contains(column)) {
                String type =
                        c.type(i) != null && ColumnDef.isSafeType(c.type(i)) ? c.type(i) : "text";
                out.collect(new AddColumnRecord(table, column, type));
                knownColumns.add(column);
            }
            Object v = c.value(i);
            if (c.op() != Op.DELETE && c.unchanged(i)) {
                int p = live ? previous.indexOf(column) : -1;
                if (p < 0) {
                    if (merge.strategy == Strategy.UPSERT) {
                        continue; // ON CONFLICT leaves the target's value alone
                    }
                } else {
                    v = previous.after(p);
                }
            }
            columns.add(column);
            values.add(v);
        }
        String[] cols = columns.toArray(new String[0]);
        Object[] vals = values.toArray();
        if (c.op() == Op.DELETE) {
            if (!merge.allowDelete) {
                return;
            }
            switch (merge.strategy) {
                case UPSERT:
                case DELETE_INSERT:
                    out.collect(RowChangeRecord.delete(table, keys, keyValues(cols, vals)));
                    break;
                case COLLAPSE:
                    if (live) {
                        out.collect(signed(previous, (short) -1));
                    }
                    break;
                case APPEND:
                    out.collect(
                            logged(
                                    live ? previous.columns() : cols,
                                    live ? previous.afterValues() : vals,
                                    c));
                    break;
                default:
                    throw new IllegalStateException();
            }
            last.update(
                    new CdcChange(
                            Op.DELETE,
                            c.schema(),
                            c.table(),
                            cols,
                            null,
                            vals,
                            null,
                            null,
                            c.lsn()));
            return;
        }
        switch (merge.strategy) {
            case UPSERT:
                out.collect(RowChangeRecord.upsert(table, cols, vals, keys));
                break;
            case DELETE_INSERT:
                out.collect(RowChangeRecord.delete(table, keys, keyValues(cols, vals)));
                out.collect(RowChangeRecord.insert(table, cols, vals));
                break;
            case COLLAPSE:
                if (live) {
                    out.collect(signed(previous, (short) -1));
                }
                break;
            case APPEND:
                out.collect(logged(cols, vals, c));
                break;
            default:
                throw new IllegalStateException();
        }
        CdcChange current =
                new CdcChange(
                        Op.READ, c.schema(), c.table(), cols, null, null, vals, null, c.lsn());
        if (merge.strategy == Strategy.COLLAPSE) {
            out.collect(signed(current, (short) 1));
        }
        last.update(current);
    }

    private Object[] keyValues(String[] cols, Object[] vals) {
        Object[] out = new Object[keys.length];
        for (int k = 0; k < keys.length; k++) {
            for (int i = 0; i < cols.length; i++) {
                if (cols[i].equals(keys[k])) {
                    out[k] = vals[i];
                }
            }
        }
        return out;
    }

    private RowChangeRecord signed(CdcChange row, short sign) {
        String[] cols = append(row.columns(), merge.signColumn);
        Object[] vals = append(row.afterValues(), sign);
        return RowChangeRecord.insert(table, cols, vals);
    }

    private RowChangeRecord logged(String[] cols, Object[] vals, CdcChange c) {
        String[] withOp = append(append(cols, OP_COLUMN), LSN_COLUMN);
        Object[] values = append(append(vals, String.valueOf(c.op().code())), c.lsn());
        return RowChangeRecord.insert(table, withOp, values);
    }

    private static String[] append(String[] a, String v) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    private static Object[] append(Object[] a, Object v) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}
