package dev.sluice.sources.postgres;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.List;

/**
 * A table of a Sluice publication, with an optional row filter: a SQL boolean expression over
 * columns (values already rendered as literals) and the columns it reads. PostgreSQL 15+ applies it
 * in the server, so filtered rows never leave the database.
 */
public final class PublishedTable implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String schema;
    private final String table;
    private final String rowFilter;
    private final List<String> filterColumns;

    public PublishedTable(String schema, String table, String rowFilter, List<String> columns) {
        this.schema = checkNotNull(schema);
        this.table = checkNotNull(table);
        this.rowFilter = rowFilter;
        this.filterColumns = columns == null ? List.of() : List.copyOf(columns);
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    /** The row filter expression, or null. */
    public String rowFilter() {
        return rowFilter;
    }

    public List<String> filterColumns() {
        return filterColumns;
    }

    /** {@code "schema"."table"}. */
    public String quoted() {
        return quote(schema) + '.' + quote(table);
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return quoted() + (rowFilter == null ? "" : " WHERE (" + rowFilter + ")");
    }
}
