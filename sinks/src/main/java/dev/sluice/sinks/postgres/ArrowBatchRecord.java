package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Arrow record batch for {@code table}: a complete Arrow IPC stream (schema, dictionaries, one
 * record batch, end of stream) as {@code ArrowStreamWriter} produces it. Its columns go to the
 * same-named columns of the table with binary COPY; a {@code _network} column of the table that the
 * batch lacks is filled with {@code network}.
 *
 * <p>The byte array is not copied: callers hand it over and must not change it afterwards.
 */
public final class ArrowBatchRecord implements PostgresSinkRecord {

    private final TableRef table;
    private final String network;
    private final byte[] arrowIpc;

    public ArrowBatchRecord(TableRef table, String network, byte[] arrowIpc) {
        this.table = checkNotNull(table, "table");
        this.network = network;
        this.arrowIpc = checkNotNull(arrowIpc, "arrowIpc");
        checkArgument(arrowIpc.length > 0, "arrowIpc must not be empty");
    }

    @Override
    public TableRef table() {
        return table;
    }

    /** The stream's network, or null when the table has no {@code _network} column. */
    public String network() {
        return network;
    }

    /** The IPC stream bytes (not a copy). */
    public byte[] arrowIpc() {
        return arrowIpc;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ArrowBatchRecord)) {
            return false;
        }
        ArrowBatchRecord that = (ArrowBatchRecord) o;
        return table.equals(that.table)
                && Objects.equals(network, that.network)
                && Arrays.equals(arrowIpc, that.arrowIpc);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(table, network) + Arrays.hashCode(arrowIpc);
    }

    @Override
    public String toString() {
        return "ArrowBatchRecord{table="
                + table
                + ", network="
                + network
                + ", bytes="
                + arrowIpc.length
                + '}';
    }
}
