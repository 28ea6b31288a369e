package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Objects;

/**
 * Replaces a target table by an empty one with a new schema: {@code DROP TABLE IF EXISTS}, then
 * {@code CREATE TABLE} from the schema of {@code arrowIpc} (an Arrow IPC stream, e.g. the first
 * batch of the stream that will fill the table; its rows are not written). Applied in stream order,
 * inside the checkpoint's transaction, so readers see the old table until that checkpoint commits
 * and the new one after it — never a table without its rows.
 *
 * <p>DDL inside a writer's transaction cannot wait for other transactions of this sink on the same
 * table without a deadlock (see the sink's README). So the writer applies a replacement only once
 * every earlier transaction of its own is committed (otherwise it hands the replacement, and the
 * table's later records, to the committer, which applies them right after those), and the pipeline
 * must route every record of the table to one writer (key the sink's input by table).
 */
public final class ReplaceTableRecord implements PostgresSinkRecord {

    private final TableRef table;
    private final byte[] arrowIpc;

    public ReplaceTableRecord(TableRef table, byte[] arrowIpc) {
        this.table = checkNotNull(table, "table");
        this.arrowIpc = checkNotNull(arrowIpc, "arrowIpc");
    }

    @Override
    public TableRef table() {
        return table;
    }

    /** An Arrow IPC stream whose schema the new table gets. */
    public byte[] arrowIpc() {
        return arrowIpc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplaceTableRecord
                && ((ReplaceTableRecord) o).table.equals(table)
                && Arrays.equals(((ReplaceTableRecord) o).arrowIpc, arrowIpc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, Arrays.hashCode(arrowIpc));
    }

    @Override
    public String toString() {
        return "ReplaceTableRecord{table=" + table + '}';
    }
}
