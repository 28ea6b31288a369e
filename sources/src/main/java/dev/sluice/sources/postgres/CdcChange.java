package dev.sluice.sources.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.sluice.sources.postgres.internal.CdcChangeTypeInfo;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One row change read from PostgreSQL logical replication (or the initial snapshot): operation,
 * table, column names with their PostgreSQL types, the row before and after, which columns of the
 * new row are TOAST values the server did not send (unchanged by the update), and the LSN.
 *
 * <p>Immutable; arrays are copied in and out. Values are null, Boolean, Short, Integer, Long,
 * Float, Double, BigDecimal, String, byte[], LocalDate, LocalTime, LocalDateTime, OffsetDateTime or
 * UUID. The same class carries transformed rows in the job (then {@code table} is the target).
 */
public final class CdcChange {

    /** What happened to the row. */
    public enum Op {
        /** A row of the initial snapshot. */
        READ('r'),
        INSERT('c'),
        UPDATE('u'),
        DELETE('d');

        private final char code;

        Op(char code) {
            this.code = code;
        }

        /** Debezium's one-letter code: r, c, u or d. */
        public char code() {
            return code;
        }

        public static Op fromCode(String code) {
            for (Op op : values()) {
                if (code.length() == 1 && op.code == code.charAt(0)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("Unknown change operation '" + code + "'");
        }
    }

    private final Op op;
    private final String schema;
    private final String table;
    private final String[] columns;
    private final String[] types;
    private final Object[] before;
    private final Object[] after;
    private final boolean[] unchanged;
    private final long lsn;

    public CdcChange(
            Op op,
            String schema,
            String table,
            String[] columns,
            String[] types,
            Object[] before,
            Object[] after,
            boolean[] unchanged,
            long lsn) {
        this.op = checkNotNull(op);
        this.schema = checkNotNull(schema);
        this.table = checkNotNull(table);
        this.columns = columns.clone();
        this.types = types == null ? new String[columns.length] : types.clone();
        this.before = before == null ? null : before.clone();
        this.after = after == null ? null : after.clone();
        this.unchanged = unchanged == null ? new boolean[columns.length] : unchanged.clone();
        this.lsn = lsn;
        checkArgument(this.types.length == columns.length, "types do not match columns");
        checkArgument(this.unchanged.length == columns.length, "unchanged does not match columns");
        checkArgument(before == null || before.length == columns.length, "before size");
        checkArgument(after == null || after.length == columns.length, "after size");
        checkArgument(op == Op.DELETE ? before != null : after != null, "%s needs a row", op);
    }

    /** Explicit (non-Kryo) type information. */
    public static TypeInformation<CdcChange> typeInfo() {
        return CdcChangeTypeInfo.INSTANCE;
    }

    public Op op() {
        return op;
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    public int columnCount() {
        return columns.length;
    }

    public String column(int i) {
        return columns[i];
    }

    public String[] columns() {
        return columns.clone();
    }

    /** The PostgreSQL type of column i ({@code format_type} style), or null when unknown. */
    public String type(int i) {
        return types[i];
    }

    public String[] types() {
        return types.clone();
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public boolean hasBefore() {
        return before != null;
    }

    public boolean hasAfter() {
        return after != null;
    }

    /** Column i of the old row (null without one: inserts, or updates without REPLICA IDENTITY). */
    public Object before(int i) {
        return before == null ? null : before[i];
    }

    public Object after(int i) {
        return after == null ? null : after[i];
    }

    public Object[] beforeValues() {
        return before == null ? null : before.clone();
    }

    public Object[] afterValues() {
        return after == null ? null : after.clone();
    }

    /** Whether column i of the new row is an unchanged TOAST value the server did not send. */
    public boolean unchanged(int i) {
        return unchanged[i];
    }

    public boolean[] unchangedFlags() {
        return unchanged.clone();
    }

    /** The current row: the new one, or the old one for deletes. */
    public Object value(int i) {
        return op == Op.DELETE ? before[i] : after[i];
    }

    /** The LSN of the change (of the snapshot's position for reads); 0 when unknown. */
    public long lsn() {
        return lsn;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CdcChange)) {
            return false;
        }
        CdcChange that = (CdcChange) o;
        return op == that.op
                && lsn == that.lsn
                && schema.equals(that.schema)
                && table.equals(that.table)
                && Arrays.equals(columns, that.columns)
                && Arrays.equals(types, that.types)
                && Arrays.deepEquals(before, that.before)
                && Arrays.deepEquals(after, that.after)
                && Arrays.equals(unchanged, that.unchanged);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, schema, table, lsn, Arrays.hashCode(columns));
    }

    /** Names the change without its values (they may be personal data). */
    @Override
    public String toString() {
        return "CdcChange{"
                + op
                + ' '
                + schema
                + '.'
                + table
                + ", columns="
                + Arrays.toString(columns)
                + ", lsn="
                + lsn
                + '}';
    }
}
