package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.ValueVector;

/**
 * Encodes the values of one Arrow vector: as a PostgreSQL binary COPY field (4-byte length, then
 * the value; -1 for null) or as JSON text (inside a JSONB struct, map or list). Built once per
 * batch and column, then called per row with primitive reads only.
 */
abstract class FieldEncoder {

    final ValueVector vector;

    /**
     * False when the batch has no nulls in this vector (counted once per batch from the validity
     * bitmap): each row then skips the bounds-checked validity read. Encoders whose {@link #isNull}
     * looks beyond the vector's own bitmap set it back to true.
     */
    boolean checkNulls;

    /**
     * The validity bitmap's address when the batch has nulls in a flat vector, else 0: its rows are
     * then tested with one memory read instead of a call through the {@code ValueVector} interface
     * (several vector classes per batch) into ArrowBuf's bounds and reference-count checks. Safe
     * because {@link #validityAddress} checked once per batch that the bitmap covers every row.
     */
    private final long validity;

    FieldEncoder(ValueVector vector) {
        this.vector = vector;
        this.checkNulls = vector.getNullCount() != 0;
        this.validity = checkNulls ? validityAddress(vector) : 0;
    }

    boolean isNull(int index) {
        if (validity == 0) {
            return vector.isNull(index);
        }
        return (MemoryUtil.getByte(validity + (index >>> 3)) & (1 << (index & 7))) == 0;
    }

    /**
     * The bitmap's address if it holds a bit for each of the vector's rows, else 0. (Arrow's null
     * count has just read the whole bitmap, with bounds checks unless they were turned off; the
     * reads by address have none, so the size is checked here regardless.)
     */
    private static long validityAddress(ValueVector vector) {
        if (!(vector instanceof BaseFixedWidthVector
                || vector instanceof BaseVariableWidthVector
                || vector instanceof BaseLargeVariableWidthVector)) {
            return 0;
        }
        ArrowBuf bits = vector.getValidityBuffer();
        long needed = (vector.getValueCount() + 7L) / 8;
        return bits.capacity() >= needed ? bits.memoryAddress() : 0;
    }

    /** Writes the field: length and binary value, or -1 for null. */
    final void writeBinary(int index, CopyBuffer out) {
        if (checkNulls && isNull(index)) {
            out.putInt(-1);
        } else {
            writeValue(index, out);
        }
    }

    /** Writes the JSON text of the value, {@code null} for null. */
    final void writeJson(int index, CopyBuffer out) {
        if (checkNulls && isNull(index)) {
            out.putAscii("null");
        } else {
            writeJsonValue(index, out);
        }
    }

    /** Length prefix plus binary value of a non-null entry. */
    abstract void writeValue(int index, CopyBuffer out);

    /** JSON text of a non-null entry. */
    abstract void writeJsonValue(int index, CopyBuffer out);

    /** Whether {@link #writeJsonValue} produces a JSON string (usable as an object key). */
    boolean jsonIsString() {
        return false;
    }
}
