package dev.sluice.sinks.postgres.internal;

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

    FieldEncoder(ValueVector vector) {
        this.vector = vector;
        this.checkNulls = vector.getNullCount() != 0;
    }

    boolean isNull(int index) {
        return vector.isNull(index);
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
