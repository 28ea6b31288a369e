package dev.sluice.job.amp;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Compact tagged encoding of row values for the reorg operator's state (current versions and the
 * undo log of keyed tables). Only the types {@link ArrowRows} produces.
 */
final class RowValues {

    private static final int VERSION_1 = 1;

    private RowValues() {}

    /** A row version: the block it was written at, its schema (an index), its values. */
    static byte[] encode(long block, int schema, Object[] values) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + 32 * values.length);
        out.writeByte(VERSION_1);
        out.writeLong(block);
        out.writeInt(schema);
        out.writeInt(values.length);
        for (Object v : values) {
            write(v, out);
        }
        return out.getCopyOfBuffer();
    }

    /** The block a version was written at. */
    static long block(byte[] encoded) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(encoded);
        checkVersion(in.readByte());
        return in.readLong();
    }

    static int schema(byte[] encoded) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(encoded);
        checkVersion(in.readByte());
        in.readLong();
        return in.readInt();
    }

    static Object[] values(byte[] encoded) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(encoded);
        checkVersion(in.readByte());
        in.readLong();
        in.readInt();
        Object[] values = new Object[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = read(in);
        }
        return values;
    }

    private static void checkVersion(int version) throws IOException {
        if (version != VERSION_1) {
            throw new IOException(
                    "Unknown row version encoding "
                            + version
                            + " (this build knows "
                            + VERSION_1
                            + ")");
        }
    }

    private static void write(Object v, DataOutputSerializer out) throws IOException {
        if (v == null) {
            out.writeByte(0);
        } else if (v instanceof Boolean) {
            out.writeByte(1);
            out.writeBoolean((Boolean) v);
        } else if (v instanceof Short) {
            out.writeByte(2);
            out.writeShort((Short) v);
        } else if (v instanceof Integer) {
            out.writeByte(3);
            out.writeInt((Integer) v);
        } else if (v instanceof Long) {
            out.writeByte(4);
            out.writeLong((Long) v);
        } else if (v instanceof Float) {
            out.writeByte(5);
            out.writeFloat((Float) v);
        } else if (v instanceof Double) {
            out.writeByte(6);
            out.writeDouble((Double) v);
        } else if (v instanceof BigDecimal) {
            out.writeByte(7);
            BigDecimal d = (BigDecimal) v;
            out.writeInt(d.scale());
            bytes(d.unscaledValue().toByteArray(), out);
        } else if (v instanceof BigInteger) {
            out.writeByte(8);
            bytes(((BigInteger) v).toByteArray(), out);
        } else if (v instanceof String) {
            out.writeByte(9);
            bytes(((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
        } else if (v instanceof byte[]) {
            out.writeByte(10);
            bytes((byte[]) v, out);
        } else if (v instanceof Instant) {
            out.writeByte(11);
            out.writeLong(((Instant) v).getEpochSecond());
            out.writeInt(((Instant) v).getNano());
        } else if (v instanceof LocalDateTime) {
            out.writeByte(12);
            out.writeLong(((LocalDateTime) v).toEpochSecond(ZoneOffset.UTC));
            out.writeInt(((LocalDateTime) v).getNano());
        } else if (v instanceof LocalDate) {
            out.writeByte(13);
            out.writeLong(((LocalDate) v).toEpochDay());
        } else {
            throw new IOException("Cannot keep a value of type " + v.getClass().getName());
        }
    }

    private static Object read(DataInputDeserializer in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 0:
                return null;
            case 1:
                return in.readBoolean();
            case 2:
                return in.readShort();
            case 3:
                return in.readInt();
            case 4:
                return in.readLong();
            case 5:
                return in.readFloat();
            case 6:
                return in.readDouble();
            case 7:
                {
                    int scale = in.readInt();
                    return new BigDecimal(new BigInteger(bytes(in)), scale);
                }
            case 8:
                return new BigInteger(bytes(in));
            case 9:
                return new String(bytes(in), java.nio.charset.StandardCharsets.UTF_8);
            case 10:
                return bytes(in);
            case 11:
                return Instant.ofEpochSecond(in.readLong(), in.readInt());
            case 12:
                return LocalDateTime.ofEpochSecond(in.readLong(), in.readInt(), ZoneOffset.UTC);
            case 13:
                return LocalDate.ofEpochDay(in.readLong());
            default:
                throw new IOException("Unknown value tag " + tag + " in reorg state");
        }
    }

    private static void bytes(byte[] b, DataOutputSerializer out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputDeserializer in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
