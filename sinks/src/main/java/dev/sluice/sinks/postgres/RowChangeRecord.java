package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One row change for the CDC path and for undo-log restores. Consecutive changes of the same table,
 * operation and column list are batched by the sink: {@link Op#INSERT} with COPY, {@link Op#UPSERT}
 * with {@code INSERT … ON CONFLICT (keys) DO UPDATE}, {@link Op#DELETE} with {@code DELETE … WHERE
 * keys = …}.
 *
 * <p>Values may be null, {@link Boolean}, {@link Short}, {@link Integer}, {@link Long}, {@link
 * Float}, {@link Double}, {@link BigDecimal}, {@link BigInteger}, {@link String}, {@code byte[]},
 * {@link LocalDate}, {@link LocalTime}, {@link LocalDateTime}, {@link OffsetDateTime}, {@link
 * Instant} or {@link UUID}; anything else is rejected here, not at write time. Arrays are copied.
 */
public final class RowChangeRecord implements PostgresSinkRecord {

    /** What a row change does to the target table. */
    public enum Op {
        /** Append the row (no key check). */
        INSERT,
        /** Insert the row or update the non-key columns of the row with the same key. */
        UPSERT,
        /** Delete the row with the same key; only key columns are read. */
        DELETE
    }

    static final Set<Class<?>> VALUE_TYPES =
            Set.of(
                    Boolean.class,
                    Short.class,
                    Integer.class,
                    Long.class,
                    Float.class,
                    Double.class,
                    BigDecimal.class,
                    BigInteger.class,
                    String.class,
                    byte[].class,
                    LocalDate.class,
                    LocalTime.class,
                    LocalDateTime.class,
                    OffsetDateTime.class,
                    Instant.class,
                    UUID.class);

    private final TableRef table;
    private final Op op;
    private final String[] columns;
    private final Object[] values;
    private final String[] keyColumns;

    public RowChangeRecord(
            TableRef table, Op op, String[] columns, Object[] values, String[] keyColumns) {
        this.table = checkNotNull(table, "table");
        this.op = checkNotNull(op, "op");
        this.columns = checkNotNull(columns, "columns").clone();
        this.values = checkNotNull(values, "values").clone();
        this.keyColumns = keyColumns == null ? new String[0] : keyColumns.clone();
        checkArgument(this.columns.length > 0, "a row change needs at least one column");
        checkArgument(
                this.columns.length == this.values.length,
                "%s columns but %s values",
                this.columns.length,
                this.values.length);
        for (int i = 0; i < this.values.length; i++) {
            checkNotNull(this.columns[i], "column name");
            Object v = this.values[i];
            checkArgument(
                    v == null || VALUE_TYPES.contains(v.getClass()),
                    "column %s: unsupported value type %s",
                    this.columns[i],
                    v == null ? null : v.getClass().getName());
            if (v instanceof byte[]) {
                this.values[i] = ((byte[]) v).clone();
            }
        }
        if (op != Op.INSERT) {
            checkArgument(this.keyColumns.length > 0, "%s needs key columns", op);
            for (String key : this.keyColumns) {
                checkArgument(
                        Arrays.asList(this.columns).contains(key),
                        "key column %s is not among the columns %s",
                        key,
                        Arrays.toString(this.columns));
            }
        }
    }

    /** An append of one row. */
    public static RowChangeRecord insert(TableRef table, String[] columns, Object[] values) {
        return new RowChangeRecord(table, Op.INSERT, columns, values, null);
    }

    /** An insert-or-update by {@code keyColumns}. */
    public static RowChangeRecord upsert(
            TableRef table, String[] columns, Object[] values, String... keyColumns) {
        return new RowChangeRecord(table, Op.UPSERT, columns, values, keyColumns);
    }

    /** A delete by key; {@code columns} are the key columns. */
    public static RowChangeRecord delete(TableRef table, String[] keyColumns, Object[] keyValues) {
        return new RowChangeRecord(table, Op.DELETE, keyColumns, keyValues, keyColumns);
    }

    @Override
    public TableRef table() {
        return table;
    }

    public Op op() {
        return op;
    }

    /** A copy of the column names. */
    public String[] columns() {
        return columns.clone();
    }

    /** A copy of the values, in column order. */
    public Object[] values() {
        return values.clone();
    }

    /** A copy of the key column names (empty for {@link Op#INSERT}). */
    public String[] keyColumns() {
        return keyColumns.clone();
    }

    public int columnCount() {
        return columns.length;
    }

    public String column(int i) {
        return columns[i];
    }

    /** The i-th value; byte arrays are shared, callers must not change them. */
    public Object value(int i) {
        return values[i];
    }

    /** Same table, op, columns and keys: the two rows can go into one batched statement. */
    public boolean sameShape(RowChangeRecord other) {
        return op == other.op
                && table.equals(other.table)
                && Arrays.equals(columns, other.columns)
                && Arrays.equals(keyColumns, other.keyColumns);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RowChangeRecord)) {
            return false;
        }
        RowChangeRecord that = (RowChangeRecord) o;
        return sameShape(that) && Arrays.deepEquals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, op, Arrays.hashCode(columns), Arrays.deepHashCode(values));
    }

    @Override
    public String toString() {
        return "RowChangeRecord{table="
                + table
                + ", op="
                + op
                + ", columns="
                + Arrays.toString(columns)
                + ", keys="
                + Arrays.toString(keyColumns)
                + '}';
    }
}
