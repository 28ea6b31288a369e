package dev.sluice.sources.amp;

import static java.util.Objects.requireNonNull;

import dev.sluice.sources.amp.protocol.BlockRange;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the Amp source emits, per stream and in stream order: a {@link Kind#DATA} record holds one
 * Flight record batch (columnar, as an Arrow IPC stream) with the block ranges it covers; a {@link
 * Kind#ROLLBACK} says every block of a network from {@code fromBlock} on is invalid and must be
 * undone before what follows; a {@link Kind#COMPLETE} record says the ranges are complete (Amp's
 * "watermark"), so a consumer may treat them as final until a later rollback.
 */
public final class AmpRecord {

    /** The three kinds of record. */
    public enum Kind {
        DATA,
        ROLLBACK,
        COMPLETE
    }

    private final Kind kind;
    private final String stream;
    private final String table;
    private final List<BlockRange> ranges;
    private final String network;
    private final long fromBlock;
    private final byte[] arrowIpc;
    private final int rowCount;

    AmpRecord(
            Kind kind,
            String stream,
            String table,
            List<BlockRange> ranges,
            String network,
            long fromBlock,
            byte[] arrowIpc,
            int rowCount) {
        this.kind = kind;
        this.stream = requireNonNull(stream, "stream");
        this.table = requireNonNull(table, "table");
        this.ranges = List.copyOf(ranges);
        this.network = network;
        this.fromBlock = fromBlock;
        this.arrowIpc = arrowIpc;
        this.rowCount = rowCount;
    }

    /** A batch of rows: {@code arrowIpc} is an Arrow IPC stream (schema + one record batch). */
    public static AmpRecord data(
            String stream, String table, List<BlockRange> ranges, byte[] arrowIpc, int rowCount) {
        return new AmpRecord(
                Kind.DATA, stream, table, ranges, null, -1, requireNonNull(arrowIpc), rowCount);
    }

    public static AmpRecord rollback(String stream, String table, String network, long fromBlock) {
        return new AmpRecord(
                Kind.ROLLBACK,
                stream,
                table,
                List.of(),
                requireNonNull(network, "network"),
                fromBlock,
                null,
                0);
    }

    public static AmpRecord complete(String stream, String table, List<BlockRange> ranges) {
        return new AmpRecord(Kind.COMPLETE, stream, table, ranges, null, -1, null, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** The stream's id: one split, one Amp query. */
    public String stream() {
        return stream;
    }

    /** The table the stream feeds (the Amp table name, or the name given to a SQL query). */
    public String table() {
        return table;
    }

    /** The block ranges of a DATA or COMPLETE record; empty for ROLLBACK. */
    public List<BlockRange> ranges() {
        return ranges;
    }

    /** The rolled-back network of a ROLLBACK record. */
    public String network() {
        return network;
    }

    /** The first invalid block of a ROLLBACK record. */
    public long fromBlock() {
        return fromBlock;
    }

    /** The Arrow IPC stream of a DATA record; null otherwise. Not copied: do not modify. */
    public byte[] arrowIpc() {
        return arrowIpc;
    }

    public int rowCount() {
        return rowCount;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AmpRecord)) {
            return false;
        }
        AmpRecord r = (AmpRecord) o;
        return kind == r.kind
                && fromBlock == r.fromBlock
                && rowCount == r.rowCount
                && stream.equals(r.stream)
                && table.equals(r.table)
                && ranges.equals(r.ranges)
                && Objects.equals(network, r.network)
                && Arrays.equals(arrowIpc, r.arrowIpc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, stream, table, ranges, network, fromBlock, rowCount);
    }

    @Override
    public String toString() {
        switch (kind) {
            case DATA:
                return "Data(" + stream + ", " + rowCount + " rows, " + ranges + ")";
            case ROLLBACK:
                return "Rollback(" + stream + ", " + network + " from " + fromBlock + ")";
            default:
                return "Complete(" + stream + ", " + ranges + ")";
        }
    }
}
