package dev.sluice.sinks.postgres;

import java.io.Serializable;
import java.util.Objects;

/** How {@link PostgresTables#ensureTable} shapes a target table beyond the Arrow schema. */
public final class TableOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final TableOptions DEFAULTS = new TableOptions(false, true);

    private final boolean networkColumn;
    private final boolean indexBlockNum;

    private TableOptions(boolean networkColumn, boolean indexBlockNum) {
        this.networkColumn = networkColumn;
        this.indexBlockNum = indexBlockNum;
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
        return new TableOptions(enabled, indexBlockNum);
    }

    /** Whether to index {@code _block_num} (with {@code _network} first when present). */
    public TableOptions withBlockNumIndex(boolean enabled) {
        return new TableOptions(networkColumn, enabled);
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
        return networkColumn == that.networkColumn && indexBlockNum == that.indexBlockNum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkColumn, indexBlockNum);
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
