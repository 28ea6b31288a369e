package dev.sluice.job.amp;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Values of Arrow vectors as the Java objects the sink binds, for tables merged by key, where rows
 * must be looked at one by one. Scalar types only: a nested column in a keyed table is refused when
 * the stream starts, with the column named.
 */
final class ArrowRows {

    private ArrowRows() {}

    /** Whether {@code type} can be a column of a keyed table. */
    static boolean supported(ArrowType type) {
        switch (type.getTypeID()) {
            case Bool:
            case Int:
            case FloatingPoint:
            case Decimal:
            case Utf8:
            case LargeUtf8:
            case Binary:
            case LargeBinary:
            case FixedSizeBinary:
            case Timestamp:
            case Date:
                return true;
            default:
                return false;
        }
    }

    /** The value at {@code row}, or null. */
    static Object value(FieldVector v, int row) {
        if (v.isNull(row)) {
            return null;
        }
        if (v instanceof BitVector) {
            return ((BitVector) v).get(row) != 0;
        } else if (v instanceof TinyIntVector) {
            return (short) ((TinyIntVector) v).get(row);
        } else if (v instanceof SmallIntVector) {
            return ((SmallIntVector) v).get(row);
        } else if (v instanceof IntVector) {
            return ((IntVector) v).get(row);
        } else if (v instanceof BigIntVector) {
            return ((BigIntVector) v).get(row);
        } else if (v instanceof UInt1Vector) {
            return (short) (((UInt1Vector) v).get(row) & 0xFF);
        } else if (v instanceof UInt2Vector) {
            return (int) ((UInt2Vector) v).get(row);
        } else if (v instanceof UInt4Vector) {
            return ((UInt4Vector) v).get(row) & 0xFFFFFFFFL;
        } else if (v instanceof UInt8Vector) {
            return new BigInteger(Long.toUnsignedString(((UInt8Vector) v).get(row)));
        } else if (v instanceof Float4Vector) {
            return ((Float4Vector) v).get(row);
        } else if (v instanceof Float8Vector) {
            return ((Float8Vector) v).get(row);
        } else if (v instanceof DecimalVector) {
            return ((DecimalVector) v).getObject(row);
        } else if (v instanceof Decimal256Vector) {
            return ((Decimal256Vector) v).getObject(row);
        } else if (v instanceof VarCharVector) {
            return ((VarCharVector) v).getObject(row).toString();
        } else if (v instanceof LargeVarCharVector) {
            return ((LargeVarCharVector) v).getObject(row).toString();
        } else if (v instanceof VarBinaryVector) {
            return ((VarBinaryVector) v).get(row);
        } else if (v instanceof LargeVarBinaryVector) {
            return ((LargeVarBinaryVector) v).get(row);
        } else if (v instanceof FixedSizeBinaryVector) {
            return ((FixedSizeBinaryVector) v).get(row);
        } else if (v instanceof TimeStampVector) {
            return timestamp((TimeStampVector) v, row);
        } else if (v instanceof DateDayVector) {
            return LocalDate.ofEpochDay(((DateDayVector) v).get(row));
        } else if (v instanceof DateMilliVector) {
            return LocalDate.ofEpochDay(Math.floorDiv(((DateMilliVector) v).get(row), 86_400_000L));
        }
        throw new IllegalArgumentException(
                "column "
                        + v.getName()
                        + " of type "
                        + v.getField().getType()
                        + " is not supported");
    }

    private static Object timestamp(TimeStampVector v, int row) {
        ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
        long raw = v.get(row);
        long seconds;
        long nanos;
        switch (type.getUnit()) {
            case SECOND:
                seconds = raw;
                nanos = 0;
                break;
            case MILLISECOND:
                seconds = Math.floorDiv(raw, 1_000L);
                nanos = Math.floorMod(raw, 1_000L) * 1_000_000L;
                break;
            case MICROSECOND:
                seconds = Math.floorDiv(raw, 1_000_000L);
                nanos = Math.floorMod(raw, 1_000_000L) * 1_000L;
                break;
            default:
                seconds = Math.floorDiv(raw, 1_000_000_000L);
                nanos = Math.floorMod(raw, 1_000_000_000L);
        }
        Instant instant = Instant.ofEpochSecond(seconds, nanos);
        return type.getTimezone() == null
                ? LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC)
                : instant;
    }
}
