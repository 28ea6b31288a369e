package dev.sluice.job.cdc;

import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.util.ArrayList;
import java.util.List;

/** A row on its way through the transform: ordered columns with types, values, unchanged flags. */
final class MappedRow {

    final List<String> columns = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final List<Object> values = new ArrayList<>();
    final List<Boolean> unchanged = new ArrayList<>();

    void add(String column, String type, Object value, boolean isUnchanged) {
        columns.add(column);
        types.add(type);
        values.add(value);
        unchanged.add(isUnchanged);
    }

    int indexOf(String column) {
        return columns.indexOf(column);
    }

    Object get(String column) {
        int i = columns.indexOf(column);
        return i < 0 ? null : values.get(i);
    }

    /** Column → value, for expressions. */
    java.util.Map<String, Object> asMap() {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            m.put(columns.get(i), values.get(i));
        }
        return m;
    }

    /** The row of a change: the new values, or the old ones of a delete. */
    static MappedRow of(CdcChange change) {
        MappedRow row = new MappedRow();
        boolean deleted = change.op() == Op.DELETE;
        for (int i = 0; i < change.columnCount(); i++) {
            row.add(
                    change.column(i),
                    change.type(i),
                    deleted ? change.before(i) : change.after(i),
                    !deleted && change.unchanged(i));
        }
        return row;
    }

    /** This row as the change {@code op} of {@code schema.table}: the old values of a delete. */
    CdcChange toChange(Op op, String schema, String table, long lsn) {
        boolean deleted = op == Op.DELETE;
        Object[] v = values.toArray();
        return new CdcChange(
                op,
                schema,
                table,
                columns.toArray(new String[0]),
                types.toArray(new String[0]),
                deleted ? v : null,
                deleted ? null : v,
                deleted ? null : unchangedFlags(),
                lsn);
    }

    boolean[] unchangedFlags() {
        boolean[] out = new boolean[unchanged.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = unchanged.get(i);
        }
        return out;
    }
}
