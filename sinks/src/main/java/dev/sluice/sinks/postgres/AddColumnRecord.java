package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Objects;

/**
 * Adds a nullable column to a target table ({@code ALTER TABLE … ADD COLUMN IF NOT EXISTS}) inside
 * the writer's transaction, in order with the rows around it: a column that appears upstream (a CDC
 * source table gained a column) reaches the target before the first row that carries it.
 * Idempotent, so a replay after a failure is harmless.
 *
 * <p>The writer holds the table lock until the checkpoint commits; with several writers on the same
 * table, the others wait for it (bounded by the sink's lock timeout, after which the job fails over
 * and replays).
 */
public final class AddColumnRecord implements PostgresSinkRecord {

    private final TableRef table;
    private final String column;
    private final String sqlType;

    public AddColumnRecord(TableRef table, String column, String sqlType) {
        this.table = checkNotNull(table, "table");
        this.column = checkNotNull(column, "column");
        this.sqlType = checkNotNull(sqlType, "sqlType");
        checkArgument(!column.isEmpty() && column.indexOf('\0') < 0, "invalid column name");
        checkArgument(
                ColumnDef.isSafeType(sqlType),
                "column %s: '%s' is not a plain PostgreSQL type name",
                column,
                sqlType);
    }

    @Override
    public TableRef table() {
        return table;
    }

    public String column() {
        return column;
    }

    public String sqlType() {
        return sqlType;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AddColumnRecord)) {
            return false;
        }
        AddColumnRecord that = (AddColumnRecord) o;
        return table.equals(that.table)
                && column.equals(that.column)
                && sqlType.equals(that.sqlType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, column, sqlType);
    }

    @Override
    public String toString() {
        return "AddColumnRecord{table=" + table + ", column=" + column + ", type=" + sqlType + '}';
    }
}
