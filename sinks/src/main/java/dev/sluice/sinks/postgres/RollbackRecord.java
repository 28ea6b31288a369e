package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Objects;

/**
 * Removes a stream's rows from block {@code fromBlock} on: {@code DELETE FROM table WHERE
 * "_block_num" >= fromBlock} (and {@code "_network" = network} when the table has that column), in
 * the same transaction and in order with the surrounding inserts.
 */
public final class RollbackRecord implements PostgresSinkRecord {

    private final TableRef table;
    private final String network;
    private final long fromBlock;

    public RollbackRecord(TableRef table, String network, long fromBlock) {
        this.table = checkNotNull(table, "table");
        this.network = network;
        checkArgument(fromBlock >= 0, "fromBlock must be >= 0, got %s", fromBlock);
        this.fromBlock = fromBlock;
    }

    @Override
    public TableRef table() {
        return table;
    }

    public String network() {
        return network;
    }

    public long fromBlock() {
        return fromBlock;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RollbackRecord)) {
            return false;
        }
        RollbackRecord that = (RollbackRecord) o;
        return fromBlock == that.fromBlock
                && table.equals(that.table)
                && Objects.equals(network, that.network);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, network, fromBlock);
    }

    @Override
    public String toString() {
        return "RollbackRecord{table="
                + table
                + ", network="
                + network
                + ", fromBlock="
                + fromBlock
                + '}';
    }
}
