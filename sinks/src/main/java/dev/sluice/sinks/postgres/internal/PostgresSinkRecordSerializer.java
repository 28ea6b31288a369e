package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.ReplaceTableRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Explicit serializer of {@link PostgresSinkRecord}: a kind tag, then the record's fields; row
 * values carry a type tag each. Records are immutable, so {@link #copy} returns the same instance.
 */
public final class PostgresSinkRecordSerializer
        extends TypeSerializerSingleton<PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;

    public static final PostgresSinkRecordSerializer INSTANCE = new PostgresSinkRecordSerializer();

    public static final TypeInformation<PostgresSinkRecord> TYPE_INFO =
            new PostgresSinkRecordTypeInfo();

    private static final byte ARROW = 1;
    private static final byte ROLLBACK = 2;
    private static final byte ROW = 3;
    private static final byte ADD_COLUMN = 4;
    private static final byte REPLACE_TABLE = 5;

    private static final byte V_NULL = 0;
    private static final byte V_BOOL = 1;
    private static final byte V_SHORT = 2;
    private static final byte V_INT = 3;
    private static final byte V_LONG = 4;
    private static final byte V_FLOAT = 5;
    private static final byte V_DOUBLE = 6;
    private static final byte V_DECIMAL = 7;
    private static final byte V_BIGINT = 8;
    private static final byte V_STRING = 9;
    private static final byte V_BYTES = 10;
    private static final byte V_DATE = 11;
    private static final byte V_TIME = 12;
    private static final byte V_TIMESTAMP = 13;
    private static final byte V_TIMESTAMPTZ = 14;
    private static final byte V_INSTANT = 15;
    private static final byte V_UUID = 16;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public PostgresSinkRecord createInstance() {
        return null;
    }

    @Override
    public PostgresSinkRecord copy(PostgresSinkRecord from) {
        return from;
    }

    @Override
    public PostgresSinkRecord copy(PostgresSinkRecord from, PostgresSinkRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PostgresSinkRecord record, DataOutputView out) throws IOException {
        if (record instanceof ArrowBatchRecord) {
            ArrowBatchRecord r = (ArrowBatchRecord) record;
            out.writeByte(ARROW);
            writeTable(r.table(), out);
            writeNullableString(r.network(), out);
            out.writeInt(r.arrowIpc().length);
            out.write(r.arrowIpc());
        } else if (record instanceof RollbackRecord) {
            RollbackRecord r = (RollbackRecord) record;
            out.writeByte(ROLLBACK);
            writeTable(r.table(), out);
            writeNullableString(r.network(), out);
            out.writeLong(r.fromBlock());
        } else if (record instanceof AddColumnRecord) {
            AddColumnRecord r = (AddColumnRecord) record;
            out.writeByte(ADD_COLUMN);
            writeTable(r.table(), out);
            out.writeUTF(r.column());
            out.writeUTF(r.sqlType());
        } else if (record instanceof ReplaceTableRecord) {
            ReplaceTableRecord r = (ReplaceTableRecord) record;
            out.writeByte(REPLACE_TABLE);
            writeTable(r.table(), out);
            out.writeInt(r.arrowIpc().length);
            out.write(r.arrowIpc());
        } else {
            RowChangeRecord r = (RowChangeRecord) record;
            out.writeByte(ROW);
            writeTable(r.table(), out);
            out.writeByte(r.op().ordinal());
            int n = r.columnCount();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeUTF(r.column(i));
                writeValue(r.value(i), out);
            }
            String[] keys = r.keyColumns();
            out.writeInt(keys.length);
            for (String key : keys) {
                out.writeUTF(key);
            }
        }
    }

    @Override
    public PostgresSinkRecord deserialize(DataInputView in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case ARROW:
                {
                    TableRef table = readTable(in);
                    String network = readNullableString(in);
                    byte[] ipc = new byte[in.readInt()];
                    in.readFully(ipc);
                    return new ArrowBatchRecord(table, network, ipc);
                }
            case ROLLBACK:
                {
                    TableRef table = readTable(in);
                    String network = readNullableString(in);
                    return new RollbackRecord(table, network, in.readLong());
                }
            case ROW:
                {
                    TableRef table = readTable(in);
                    int opIndex = in.readByte();
                    RowChangeRecord.Op[] ops = RowChangeRecord.Op.values();
                    if (opIndex < 0 || opIndex >= ops.length) {
                        throw new IOException("Unknown row change op " + opIndex);
                    }
                    int n = in.readInt();
                    String[] columns = new String[n];
                    Object[] values = new Object[n];
                    for (int i = 0; i < n; i++) {
                        columns[i] = in.readUTF();
                        values[i] = readValue(in);
                    }
                    String[] keys = new String[in.readInt()];
                    for (int i = 0; i < keys.length; i++) {
                        keys[i] = in.readUTF();
                    }
                    return new RowChangeRecord(table, ops[opIndex], columns, values, keys);
                }
            case ADD_COLUMN:
                return new AddColumnRecord(readTable(in), in.readUTF(), in.readUTF());
            case REPLACE_TABLE:
                {
                    TableRef table = readTable(in);
                    byte[] ipc = new byte[in.readInt()];
                    in.readFully(ipc);
                    return new ReplaceTableRecord(table, ipc);
                }
            default:
                throw new IOException("Unknown PostgresSinkRecord kind " + kind);
        }
    }

    @Override
    public PostgresSinkRecord deserialize(PostgresSinkRecord reuse, DataInputView in)
            throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<PostgresSinkRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeTable(TableRef table, DataOutputView out) throws IOException {
        out.writeUTF(table.schema());
        out.writeUTF(table.table());
    }

    private static TableRef readTable(DataInputView in) throws IOException {
        return new TableRef(in.readUTF(), in.readUTF());
    }

    private static void writeNullableString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /** Strings may exceed writeUTF's 64 KiB limit, so they go as length-prefixed UTF-8. */
    private static void writeLongString(String s, DataOutputView out) throws IOException {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readLongString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeValue(Object v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeByte(V_NULL);
        } else if (v instanceof Boolean) {
            out.writeByte(V_BOOL);
            out.writeBoolean((Boolean) v);
        } else if (v instanceof Short) {
            out.writeByte(V_SHORT);
            out.writeShort((Short) v);
        } else if (v instanceof Integer) {
            out.writeByte(V_INT);
            out.writeInt((Integer) v);
        } else if (v instanceof Long) {
            out.writeByte(V_LONG);
            out.writeLong((Long) v);
        } else if (v instanceof Float) {
            out.writeByte(V_FLOAT);
            out.writeFloat((Float) v);
        } else if (v instanceof Double) {
            out.writeByte(V_DOUBLE);
            out.writeDouble((Double) v);
        } else if (v instanceof BigDecimal) {
            out.writeByte(V_DECIMAL);
            writeLongString(((BigDecimal) v).toString(), out);
        } else if (v instanceof BigInteger) {
            out.writeByte(V_BIGINT);
            writeLongString(v.toString(), out);
        } else if (v instanceof String) {
            out.writeByte(V_STRING);
            writeLongString((String) v, out);
        } else if (v instanceof byte[]) {
            out.writeByte(V_BYTES);
            byte[] b = (byte[]) v;
            out.writeInt(b.length);
            out.write(b);
        } else if (v instanceof LocalDate) {
            out.writeByte(V_DATE);
            out.writeLong(((LocalDate) v).toEpochDay());
        } else if (v instanceof LocalTime) {
            out.writeByte(V_TIME);
            out.writeLong(((LocalTime) v).toNanoOfDay());
        } else if (v instanceof LocalDateTime) {
            out.writeByte(V_TIMESTAMP);
            LocalDateTime t = (LocalDateTime) v;
            out.writeLong(t.toEpochSecond(ZoneOffset.UTC));
            out.writeInt(t.getNano());
        } else if (v instanceof OffsetDateTime) {
            out.writeByte(V_TIMESTAMPTZ);
            OffsetDateTime t = (OffsetDateTime) v;
            out.writeLong(t.toEpochSecond());
            out.writeInt(t.getNano());
            out.writeInt(t.getOffset().getTotalSeconds());
        } else if (v instanceof Instant) {
            out.writeByte(V_INSTANT);
            Instant t = (Instant) v;
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else if (v instanceof UUID) {
            out.writeByte(V_UUID);
            out.writeLong(((UUID) v).getMostSignificantBits());
            out.writeLong(((UUID) v).getLeastSignificantBits());
        } else {
            throw new IOException("Unsupported row value type " + v.getClass().getName());
        }
    }

    private static Object readValue(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case V_NULL:
                return null;
            case V_BOOL:
                return in.readBoolean();
            case V_SHORT:
                return in.readShort();
            case V_INT:
                return in.readInt();
            case V_LONG:
                return in.readLong();
            case V_FLOAT:
                return in.readFloat();
            case V_DOUBLE:
                return in.readDouble();
            case V_DECIMAL:
                return new BigDecimal(readLongString(in));
            case V_BIGINT:
                return new BigInteger(readLongString(in));
            case V_STRING:
                return readLongString(in);
            case V_BYTES:
                {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    return b;
                }
            case V_DATE:
                return LocalDate.ofEpochDay(in.readLong());
            case V_TIME:
                return LocalTime.ofNanoOfDay(in.readLong());
            case V_TIMESTAMP:
                return LocalDateTime.ofEpochSecond(in.readLong(), in.readInt(), ZoneOffset.UTC);
            case V_TIMESTAMPTZ:
                {
                    long seconds = in.readLong();
                    int nanos = in.readInt();
                    ZoneOffset offset = ZoneOffset.ofTotalSeconds(in.readInt());
                    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset);
                }
            case V_INSTANT:
                return Instant.ofEpochSecond(in.readLong(), in.readInt());
            case V_UUID:
                return new UUID(in.readLong(), in.readLong());
            default:
                throw new IOException("Unknown row value tag " + tag);
        }
    }

    /** Snapshot of the stateless serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PostgresSinkRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
