package dev.sluice.sources.amp;

import dev.sluice.sources.amp.protocol.BlockRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link AmpRecord}s for the shuffle before the keyed reorg operator: a DATA
 * record is its IPC bytes plus a small header, so shipping a batch costs one copy.
 */
public final class AmpRecordSerializer extends TypeSerializerSingleton<AmpRecord> {

    private static final long serialVersionUID = 1L;

    public static final AmpRecordSerializer INSTANCE = new AmpRecordSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public AmpRecord createInstance() {
        return AmpRecord.complete("", "", List.of());
    }

    @Override
    public AmpRecord copy(AmpRecord from) {
        return from; // immutable
    }

    @Override
    public AmpRecord copy(AmpRecord from, AmpRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AmpRecord r, DataOutputView out) throws IOException {
        out.writeByte(r.kind().ordinal());
        out.writeUTF(r.stream());
        out.writeUTF(r.table());
        switch (r.kind()) {
            case DATA:
                writeRanges(r.ranges(), out);
                out.writeInt(r.rowCount());
                out.writeInt(r.arrowIpc().length);
                out.write(r.arrowIpc());
                break;
            case ROLLBACK:
                out.writeUTF(r.network());
                out.writeLong(r.fromBlock());
                break;
            case COMPLETE:
                writeRanges(r.ranges(), out);
                break;
            default:
                throw new IOException("Unknown record kind " + r.kind());
        }
    }

    @Override
    public AmpRecord deserialize(DataInputView in) throws IOException {
        int kind = in.readByte();
        String stream = in.readUTF();
        String table = in.readUTF();
        switch (kind) {
            case 0:
                {
                    List<BlockRange> ranges = readRanges(in);
                    int rows = in.readInt();
                    byte[] ipc = new byte[in.readInt()];
                    in.readFully(ipc);
                    return AmpRecord.data(stream, table, ranges, ipc, rows);
                }
            case 1:
                return AmpRecord.rollback(stream, table, in.readUTF(), in.readLong());
            case 2:
                return AmpRecord.complete(stream, table, readRanges(in));
            default:
                throw new IOException("Unknown AmpRecord kind " + kind + ": corrupt stream");
        }
    }

    @Override
    public AmpRecord deserialize(AmpRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    /** Writes block ranges; shared with the split serializer. */
    public static void writeRanges(List<BlockRange> ranges, DataOutputView out) throws IOException {
        out.writeInt(ranges.size());
        for (BlockRange r : ranges) {
            out.writeUTF(r.network());
            out.writeLong(r.start());
            out.writeLong(r.end());
            out.writeUTF(r.hash());
            out.writeBoolean(r.prevHash() != null);
            if (r.prevHash() != null) {
                out.writeUTF(r.prevHash());
            }
            out.writeBoolean(r.timestamp() != null);
            if (r.timestamp() != null) {
                out.writeLong(r.timestamp());
            }
        }
    }

    public static List<BlockRange> readRanges(DataInputView in) throws IOException {
        int n = in.readInt();
        List<BlockRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String network = in.readUTF();
            long start = in.readLong();
            long end = in.readLong();
            String hash = in.readUTF();
            String prevHash = in.readBoolean() ? in.readUTF() : null;
            Long timestamp = in.readBoolean() ? in.readLong() : null;
            ranges.add(new BlockRange(network, start, end, hash, prevHash, timestamp));
        }
        return ranges;
    }

    @Override
    public TypeSerializerSnapshot<AmpRecord> snapshotConfiguration() {
        return new AmpRecordSerializerSnapshot();
    }

    /** Serializer snapshot for state compatibility checks. */
    public static final class AmpRecordSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<AmpRecord> {
        public AmpRecordSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
