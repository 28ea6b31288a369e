package dev.sluice.sinks.postgres.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.types.TimeUnit;

/** Encoders of scalar Arrow vectors; each reads the vector's buffers directly. */
final class ScalarEncoders {

    /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /** Days between 1970-01-01 and 2000-01-01. */
    static final int PG_EPOCH_DAYS = 10_957;

    private ScalarEncoders() {}

    static long toMicros(long value, TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return value * 1_000_000L;
            case MILLISECOND:
                return value * 1_000L;
            case MICROSECOND:
                return value;
            default:
                return Math.floorDiv(value, 1_000L);
        }
    }

    /** Base of fixed-width encoders: data buffer reads by index. */
    abstract static class Fixed extends FieldEncoder {
        final ArrowBuf data;

        /**
         * The data buffer's address, for the hottest encoders' reads without ArrowBuf's per-call
         * bounds and reference-count checks (a fifth of the sink thread's samples). Safe because
         * {@link #checkCapacity} verified once per batch that the buffer holds every row.
         */
        final long address;

        Fixed(ValueVector vector) {
            super(vector);
            this.data = ((BaseFixedWidthVector) vector).getDataBuffer();
            this.address = data.memoryAddress();
        }

        /** Fails unless the data buffer holds {@code width} bytes for each of the vector's rows. */
        final void checkCapacity(int width) {
            long needed = (long) vector.getValueCount() * width;
            if (data.capacity() < needed) {
                throw new IllegalArgumentException(
                        "Column "
                                + vector.getName()
                                + ": data buffer of "
                                + data.capacity()
                                + " bytes is too short for "
                                + vector.getValueCount()
                                + " values of "
                                + width
                                + " bytes");
            }
        }
    }

    static final class Bool extends FieldEncoder {
        private final BitVector bits;

        Bool(BitVector vector) {
            super(vector);
            this.bits = vector;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(1);
            out.putByte(bits.get(i));
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putAscii(bits.get(i) != 0 ? "true" : "false");
        }
    }

    /** Integers up to 64 bits, signed or unsigned, widened to int2/int4/int8. */
    static final class Int extends Fixed {
        private final int byteWidth;
        private final boolean signed;
        private final int pgWidth;

        Int(ValueVector vector, int bitWidth, boolean signed, int pgWidth) {
            super(vector);
            this.byteWidth = bitWidth / 8;
            this.signed = signed;
            this.pgWidth = pgWidth;
            checkCapacity(byteWidth);
        }

        long read(int i) {
            long at = address + (long) i * byteWidth;
            switch (byteWidth) {
                case 1:
                    return signed ? MemoryUtil.getByte(at) : MemoryUtil.getByte(at) & 0xFFL;
                case 2:
                    return signed ? MemoryUtil.getShort(at) : MemoryUtil.getShort(at) & 0xFFFFL;
                case 4:
                    return signed ? MemoryUtil.getInt(at) : MemoryUtil.getInt(at) & 0xFFFFFFFFL;
                default:
                    return MemoryUtil.getLong(at);
            }
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            long v = read(i);
            out.putInt(pgWidth);
            if (pgWidth == 2) {
                out.putShort((int) v);
            } else if (pgWidth == 4) {
                out.putInt((int) v);
            } else {
                out.putLong(v);
            }
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putDecimal(read(i));
        }
    }

    /** UInt64 as NUMERIC(20,0), so values above 2^63 survive. */
    static final class UInt64 extends Fixed {
        private final NumericCodec numeric = new NumericCodec();

        UInt64(ValueVector vector) {
            super(vector);
            checkCapacity(8);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            numeric.writeUnsignedLong(MemoryUtil.getLong(address + (long) i * 8), out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putUnsignedDecimal(data.getLong((long) i * 8));
        }
    }

    static final class Float16 extends FieldEncoder {
        private final Float2Vector floats;

        Float16(Float2Vector vector) {
            super(vector);
            this.floats = vector;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(4);
            out.putInt(Float.floatToRawIntBits(floats.getValueAsFloat(i)));
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            Json.putFloating(floats.getValueAsFloat(i), out);
        }
    }

    static final class Float32 extends Fixed {
        Float32(ValueVector vector) {
            super(vector);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(4);
            out.putInt(data.getInt((long) i * 4));
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            Json.putFloating(data.getFloat((long) i * 4), out);
        }
    }

    static final class Float64 extends Fixed {
        Float64(ValueVector vector) {
            super(vector);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(8);
            out.putLong(data.getLong((long) i * 8));
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            Json.putFloating(data.getDouble((long) i * 8), out);
        }
    }

    /** Decimal128/256 as NUMERIC(p,s); JSON renders them as strings (no float rounding). */
    static final class Decimal extends Fixed {
        private final int width;
        private final int scale;
        private final NumericCodec numeric = new NumericCodec();

        Decimal(ValueVector vector, int width, int scale) {
            super(vector);
            this.width = width;
            this.scale = scale;
            checkCapacity(width);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            numeric.writeDecimal(address + (long) i * width, width, scale, out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putJsonString(((java.math.BigDecimal) vector.getObject(i)).toPlainString());
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Timestamps of any unit, with or without zone: int8 microseconds since 2000-01-01 UTC. */
    static final class Timestamp extends Fixed {
        private final TimeUnit unit;
        private final boolean zoned;

        Timestamp(ValueVector vector, TimeUnit unit, boolean zoned) {
            super(vector);
            this.unit = unit;
            this.zoned = zoned;
            checkCapacity(8);
        }

        long micros(int i) {
            return toMicros(MemoryUtil.getLong(address + (long) i * 8), unit);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(8);
            out.putLong(micros(i) - PG_EPOCH_MICROS);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            long us = micros(i);
            Instant t =
                    Instant.ofEpochSecond(
                            Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
            out.putJsonString(
                    zoned ? t.toString() : LocalDateTime.ofInstant(t, ZoneOffset.UTC).toString());
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Date32 (days) and Date64 (milliseconds) as int4 days since 2000-01-01. */
    static final class Date extends Fixed {
        private final boolean millis;

        Date(ValueVector vector, boolean millis) {
            super(vector);
            this.millis = millis;
        }

        int days(int i) {
            return millis
                    ? (int) Math.floorDiv(data.getLong((long) i * 8), 86_400_000L)
                    : data.getInt((long) i * 4);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(4);
            out.putInt(days(i) - PG_EPOCH_DAYS);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putJsonString(LocalDate.ofEpochDay(days(i)).toString());
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Time32/Time64 of any unit as int8 microseconds since midnight. */
    static final class Time extends Fixed {
        private final TimeUnit unit;
        private final boolean wide;

        Time(ValueVector vector, TimeUnit unit, int bitWidth) {
            super(vector);
            this.unit = unit;
            this.wide = bitWidth == 64;
        }

        long micros(int i) {
            long v = wide ? data.getLong((long) i * 8) : data.getInt((long) i * 4);
            return toMicros(v, unit);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(8);
            out.putLong(micros(i));
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putJsonString(LocalTime.ofNanoOfDay(micros(i) * 1000).toString());
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Duration and the Arrow interval types as INTERVAL (microseconds, days, months). */
    static final class Interval extends Fixed {
        static final int DURATION = 0;
        static final int YEAR_MONTH = 1;
        static final int DAY_TIME = 2;
        static final int MONTH_DAY_NANO = 3;

        private final int kind;
        private final TimeUnit unit;

        Interval(ValueVector vector, int kind, TimeUnit unit) {
            super(vector);
            this.kind = kind;
            this.unit = unit;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            long micros = 0;
            int days = 0;
            int months = 0;
            switch (kind) {
                case DURATION:
                    micros = toMicros(data.getLong((long) i * 8), unit);
                    break;
                case YEAR_MONTH:
                    months = data.getInt((long) i * 4);
                    break;
                case DAY_TIME:
                    days = data.getInt((long) i * 8);
                    micros = data.getInt((long) i * 8 + 4) * 1000L;
                    break;
                default:
                    months = data.getInt((long) i * 16);
                    days = data.getInt((long) i * 16 + 4);
                    micros = Math.floorDiv(data.getLong((long) i * 16 + 8), 1000L);
            }
            out.putInt(16);
            out.putLong(micros);
            out.putInt(days);
            out.putInt(months);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putJsonString(String.valueOf(vector.getObject(i)));
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Utf8/Binary and their large variants: raw bytes via the offsets. */
    static final class VarWidth extends FieldEncoder {
        private final ArrowBuf offsets;
        private final ArrowBuf data;
        private final boolean large;
        private final boolean text;

        VarWidth(ValueVector vector, boolean text) {
            super(vector);
            this.text = text;
            if (vector instanceof BaseLargeVariableWidthVector) {
                BaseLargeVariableWidthVector v = (BaseLargeVariableWidthVector) vector;
                this.offsets = v.getOffsetBuffer();
                this.data = v.getDataBuffer();
                this.large = true;
            } else {
                BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
                this.offsets = v.getOffsetBuffer();
                this.data = v.getDataBuffer();
                this.large = false;
            }
        }

        private long start(int i) {
            return large ? offsets.getLong((long) i * 8) : offsets.getInt((long) i * 4);
        }

        private long end(int i) {
            return large ? offsets.getLong((long) (i + 1) * 8) : offsets.getInt((long) (i + 1) * 4);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            long start = start(i);
            int len = (int) (end(i) - start);
            out.putInt(len);
            out.putBytes(data, start, len);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            long start = start(i);
            int len = (int) (end(i) - start);
            if (text) {
                out.putJsonString(data, start, len);
            } else {
                Json.putHexString(data, start, len, out);
            }
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    static final class FixedBinary extends Fixed {
        private final int width;

        FixedBinary(FixedSizeBinaryVector vector) {
            super(vector);
            this.width = vector.getByteWidth();
            checkCapacity(width);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(width);
            out.putMemory(address + (long) i * width, width);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            Json.putHexString(data, (long) i * width, width, out);
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** View types (Utf8View/BinaryView): read through the vector's API (one array per value). */
    static final class View extends FieldEncoder {
        private final boolean text;

        View(ValueVector vector, boolean text) {
            super(vector);
            this.text = text;
        }

        private byte[] bytes(int i) {
            return ((org.apache.arrow.vector.BaseVariableWidthViewVector) vector).get(i);
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            byte[] b = bytes(i);
            out.putInt(b.length);
            out.putBytes(b);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            byte[] b = bytes(i);
            if (text) {
                out.putJsonString(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            } else {
                out.putAscii("\"0x");
                for (byte x : b) {
                    out.putAscii(String.format("%02x", x & 0xff));
                }
                out.putByte('"');
            }
        }

        @Override
        boolean jsonIsString() {
            return true;
        }
    }

    /** Arrow's Null type: every entry is null. */
    static final class AllNull extends FieldEncoder {
        AllNull(ValueVector vector) {
            super(vector);
            this.checkNulls = true;
        }

        @Override
        boolean isNull(int index) {
            return true;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            out.putInt(-1);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putAscii("null");
        }
    }
}
