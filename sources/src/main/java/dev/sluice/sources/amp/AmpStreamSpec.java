package dev.sluice.sources.amp;

import static java.util.Objects.requireNonNull;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.io.Serializable;
import java.util.Objects;

/** One stream the source reads: an id (unique in the job), the table it feeds, its Amp SQL. */
public final class AmpStreamSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String id;
    private final String table;
    private final String sql;

    public AmpStreamSpec(String id, String table, String sql) {
        this.id = requireNonNull(id, "id");
        this.table = requireNonNull(table, "table");
        this.sql = requireNonNull(sql, "sql");
    }

    /** The stream of a whole table: ampsync's {@code SELECT * FROM "<dataset>"."<table>"}. */
    public static AmpStreamSpec forTable(DatasetReference dataset, String table) {
        return new AmpStreamSpec(idFor(dataset, table), table, dataset.selectAllFrom(table));
    }

    /** The stream id of a table of a dataset: {@code <namespace>/<name>@<revision>.<table>}. */
    public static String idFor(DatasetReference dataset, String table) {
        return dataset + "." + table;
    }

    public String id() {
        return id;
    }

    public String table() {
        return table;
    }

    public String sql() {
        return sql;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AmpStreamSpec
                && ((AmpStreamSpec) o).id.equals(id)
                && ((AmpStreamSpec) o).table.equals(table)
                && ((AmpStreamSpec) o).sql.equals(sql);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, table, sql);
    }

    @Override
    public String toString() {
        return "AmpStreamSpec(" + id + ": " + sql + ")";
    }
}
