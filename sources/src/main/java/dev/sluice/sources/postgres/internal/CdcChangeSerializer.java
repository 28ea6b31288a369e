package dev.sluice.sources.postgres.internal;

import dev.sluice.sources.postgres.CdcChange;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Explicit serializer of {@link CdcChange} (network and keyed state): a version byte, the header,
 * then each column with its type and tagged values. Changes are immutable, so copies are shared.
 */
public final class CdcChangeSerializer extends TypeSerializerSingleton<CdcChange> {

    private static final long serialVersionUID = 1L;

    public static final CdcChangeSerializer INSTANCE = new CdcChangeSerializer();

    static final int VERSION = 1;

    private static final byte V_NULL = 0;
    private static final byte V_BOOL = 1;
    private static final byte V_SHORT = 2;
    private static final byte V_INT = 3;
    private static final byte V_LONG = 4;
    private static final byte V_FLOAT = 5;
    private static final byte V_DOUBLE = 6;
    private static final byte V_DECIMAL = 7;
    private static final byte V_STRING = 8;
    private static final byte V_BYTES = 9;
    private static final byte V_DATE = 10;
    private static final byte V_TIME = 11;
    private static final byte V_TIMESTAMP = 12;
    private static final byte V_TIMESTAMPTZ = 13;
    private static final byte V_UUID = 14;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public CdcChange createInstance() {
        return null;
    }

    @Override
    public CdcChange copy(CdcChange from) {
        return from;
    }

    @Override
    public CdcChange copy(CdcChange from, CdcChange reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CdcChange c, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeByte(c.op().ordinal());
        out.writeUTF(c.schema());
        out.writeUTF(c.table());
        out.writeLong(c.lsn());
        int n = c.columnCount();
        out.writeInt(n);
        out.writeBoolean(c.hasBefore());
        out.writeBoolean(c.hasAfter());
        for (int i = 0; i < n; i++) {
            out.writeUTF(c.column(i));
            String type = c.type(i);
            out.writeBoolean(type != null);
            if (type != null) {
                out.writeUTF(type);
            }
            out.writeBoolean(c.unchanged(i));
            if (c.hasBefore()) {
                writeValue(c.before(i), out);
            }
            if (c.hasAfter()) {
                writeValue(c.after(i), out);
            }
        }
    }

    @Override
    public CdcChange deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IOException("Unknown CdcChange serialization version " + version);
        }
        int opIndex = in.readByte();
        CdcChange.Op[] ops = CdcChange.Op.values();
        if (opIndex < 0 || opIndex >= ops.length) {
            throw new IOException("Unknown change op " + opIndex);
        }
        String schema = in.readUTF();
        String table = in.readUTF();
        long lsn = in.readLong();
        int n = in.readInt();
        boolean hasBefore = in.readBoolean();
        boolean hasAfter = in.readBoolean();
        String[] columns = new String[n];
        String[] types = new String[n];
        boolean[] unchanged = new boolean[n];
        Object[] before = hasBefore ? new Object[n] : null;
        Object[] after = hasAfter ? new Object[n] : null;
        for (int i = 0; i < n; i++) {
            columns[i] = in.readUTF();
            types[i] = in.readBoolean() ? in.readUTF() : null;
            unchanged[i] = in.readBoolean();
            if (hasBefore) {
                before[i] = readValue(in);
            }
            if (hasAfter) {
                after[i] = readValue(in);
            }
        }
        return new CdcChange(
                ops[opIndex], schema, table, columns, types, before, after, unchanged, lsn);
    }

    @Override
    public CdcChange deserialize(CdcChange reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<CdcChange> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeString(String s, DataOutputView out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeValue(Object v, DataOutputView out) throws IOException {
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
            writeString(v.toString(), out);
        } else if (v instanceof String) {
            out.writeByte(V_STRING);
            writeString((String) v, out);
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
        } else if (v instanceof UUID) {
            out.writeByte(V_UUID);
            out.writeLong(((UUID) v).getMostSignificantBits());
            out.writeLong(((UUID) v).getLeastSignificantBits());
        } else {
            throw new IOException("Unsupported change value type " + v.getClass().getName());
        }
    }

    static Object readValue(DataInputView in) throws IOException {
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
                return new BigDecimal(readString(in));
            case V_STRING:
                return readString(in);
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
            case V_UUID:
                return new UUID(in.readLong(), in.readLong());
            default:
                throw new IOException("Unknown change value tag " + tag);
        }
    }

    /** Snapshot of the stateless serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CdcChange> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
