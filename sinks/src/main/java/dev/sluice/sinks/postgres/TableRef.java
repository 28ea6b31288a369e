package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Objects;

/** A schema-qualified PostgreSQL table; rendered with quoted identifiers, never bare. */
public final class TableRef implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String schema;
    private final String table;

    public TableRef(String schema, String table) {
        this.schema = checkNotNull(schema, "schema");
        this.table = checkNotNull(table, "table");
        checkArgument(!schema.isEmpty() && !table.isEmpty(), "schema and table must be non-empty");
        checkArgument(
                schema.indexOf('\0') < 0 && table.indexOf('\0') < 0,
                "identifiers must not contain NUL characters");
    }

    /** A table in the {@code public} schema. */
    public static TableRef of(String table) {
        return new TableRef("public", table);
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    /** {@code "schema"."table"} with embedded quotes doubled. */
    public String quoted() {
        return quote(schema) + '.' + quote(table);
    }

    /** Quotes one identifier for SQL, doubling embedded quotes. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TableRef)) {
            return false;
        }
        TableRef that = (TableRef) o;
        return schema.equals(that.schema) && table.equals(that.table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table);
    }

    @Override
    public String toString() {
        return quoted();
    }
}
