package dev.sluice.sinks.postgres;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/** How {@link PostgresTables#ensureTable} shapes a target table beyond the Arrow schema. */
public final class TableOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final TableOptions DEFAULTS = new TableOptions(false, true, List.of());

    private final boolean networkColumn;
    private final boolean indexBlockNum;
    private final List<String> uniqueKey;

    private TableOptions(boolean networkColumn, boolean indexBlockNum, List<String> uniqueKey) {
        this.networkColumn = networkColumn;
        this.indexBlockNum = indexBlockNum;
        this.uniqueKey = List.copyOf(uniqueKey);
    }

    /** No {@code _network} column; {@code _block_num} indexed when present. */
    public static TableOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Adds a {@code "_network" text NOT NULL} column that the sink fills from each record's network
     * (for tables shared by several networks); rollbacks then only touch their network.
     */
    public TableOptions withNetworkColumn(boolean enabled) {
        return new TableOptions(enabled, indexBlockNum, uniqueKey);
    }

    /**
     * Rows are merged by these columns (upserts) rather than appended: a new table gets them as its
     * primary key; an existing one must have a unique index on exactly them.
     */
    public TableOptions withUniqueKey(List<String> columns) {
        return new TableOptions(networkColumn, indexBlockNum, columns);
    }

    public List<String> uniqueKey() {
        return uniqueKey;
    }

    /** Whether to index {@code _block_num} (with {@code _network} first when present). */
    public TableOptions withBlockNumIndex(boolean enabled) {
        return new TableOptions(networkColumn, enabled, uniqueKey);
    }

    public boolean networkColumn() {
        return networkColumn;
    }

    public boolean indexBlockNum() {
        return indexBlockNum;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TableOptions)) {
            return false;
        }
        TableOptions that = (TableOptions) o;
        return networkColumn == that.networkColumn
                && indexBlockNum == that.indexBlockNum
                && uniqueKey.equals(that.uniqueKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkColumn, indexBlockNum, uniqueKey);
    }

    @Override
    public String toString() {
        return "TableOptions{networkColumn="
                + networkColumn
                + ", indexBlockNum="
                + indexBlockNum
                + '}';
    }
}
