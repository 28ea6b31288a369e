package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.vector.ValueVector;

/**
 * Encodes the values of one Arrow vector: as a PostgreSQL binary COPY field (4-byte length, then
 * the value; -1 for null) or as JSON text (inside a JSONB struct, map or list). Built once per
 * batch and column, then called per row with primitive reads only.
 */
abstract class FieldEncoder {

    final ValueVector vector;

    FieldEncoder(ValueVector vector) {
        this.vector = vector;
    }

    boolean isNull(int index) {
        return vector.isNull(index);
    }

    /** Writes the field: length and binary value, or -1 for null. */
    final void writeBinary(int index, CopyBuffer out) {
        if (isNull(index)) {
            out.putInt(-1);
        } else {
            writeValue(index, out);
        }
    }

    /** Writes the JSON text of the value, {@code null} for null. */
    final void writeJson(int index, CopyBuffer out) {
        if (isNull(index)) {
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
