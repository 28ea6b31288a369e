package dev.sluice.sinks.postgres.internal;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;

/** Encoders of nested and dictionary-encoded Arrow vectors. */
final class NestedEncoders {

    private NestedEncoders() {}

    /** Struct as a JSONB object; binary children as "0x…", decimals as strings. */
    static final class Struct extends FieldEncoder {
        private final byte[][] keys;
        private final FieldEncoder[] children;

        Struct(ValueVector vector, String[] names, FieldEncoder[] children) {
            super(vector);
            this.children = children;
            this.keys = new byte[names.length][];
            for (int k = 0; k < names.length; k++) {
                CopyBuffer b = new CopyBuffer(names[k].length() + 8);
                b.putJsonString(names[k]);
                b.putByte(':');
                keys[k] = java.util.Arrays.copyOf(b.array(), b.position());
            }
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            Json.writeJsonb(this, i, out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            out.putByte('{');
            for (int k = 0; k < children.length; k++) {
                if (k > 0) {
                    out.putByte(',');
                }
                out.putBytes(keys[k]);
                children[k].writeJson(i, out);
            }
            out.putByte('}');
        }
    }

    /** Offsets of the three list layouts. */
    abstract static class ListBase extends FieldEncoder {
        private final ArrowBuf offsets;
        private final boolean large;
        private final int fixedSize;

        ListBase(ValueVector vector) {
            super(vector);
            if (vector instanceof FixedSizeListVector) {
                this.offsets = null;
                this.large = false;
                this.fixedSize = ((FixedSizeListVector) vector).getListSize();
            } else if (vector instanceof LargeListVector) {
                this.offsets = ((LargeListVector) vector).getOffsetBuffer();
                this.large = true;
                this.fixedSize = -1;
            } else {
                this.offsets = ((ListVector) vector).getOffsetBuffer();
                this.large = false;
                this.fixedSize = -1;
            }
        }

        final int start(int i) {
            if (fixedSize >= 0) {
                return i * fixedSize;
            }
            return large ? (int) offsets.getLong((long) i * 8) : offsets.getInt((long) i * 4);
        }

        final int end(int i) {
            if (fixedSize >= 0) {
                return (i + 1) * fixedSize;
            }
            return large
                    ? (int) offsets.getLong((long) (i + 1) * 8)
                    : offsets.getInt((long) (i + 1) * 4);
        }
    }

    /** List of scalars or structs as a one-dimensional PostgreSQL array. */
    static final class Array extends ListBase {
        private final FieldEncoder element;
        private final int elementOid;

        Array(ValueVector vector, FieldEncoder element, int elementOid) {
            super(vector);
            this.element = element;
            this.elementOid = elementOid;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            int start = start(i);
            int end = end(i);
            int at = out.reserveLength();
            if (end == start) {
                out.putInt(0);
                out.putInt(0);
                out.putInt(elementOid);
            } else {
                int hasNull = 0;
                for (int j = start; j < end; j++) {
                    if (element.isNull(j)) {
                        hasNull = 1;
                        break;
                    }
                }
                out.putInt(1);
                out.putInt(hasNull);
                out.putInt(elementOid);
                out.putInt(end - start);
                out.putInt(1);
                for (int j = start; j < end; j++) {
                    element.writeBinary(j, out);
                }
            }
            out.patchLength(at);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            writeJsonArray(element, start(i), end(i), out);
        }
    }

    /** List of lists (PostgreSQL arrays must be rectangular) as a JSONB array. */
    static final class JsonList extends ListBase {
        private final FieldEncoder element;

        JsonList(ValueVector vector, FieldEncoder element) {
            super(vector);
            this.element = element;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            Json.writeJsonb(this, i, out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            writeJsonArray(element, start(i), end(i), out);
        }
    }

    static void writeJsonArray(FieldEncoder element, int start, int end, CopyBuffer out) {
        out.putByte('[');
        for (int j = start; j < end; j++) {
            if (j > start) {
                out.putByte(',');
            }
            element.writeJson(j, out);
        }
        out.putByte(']');
    }

    /** Map as a JSONB object; keys that are not strings are quoted. */
    static final class Map extends ListBase {
        private final FieldEncoder key;
        private final FieldEncoder value;

        Map(ValueVector vector, FieldEncoder key, FieldEncoder value) {
            super(vector);
            this.key = key;
            this.value = value;
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            Json.writeJsonb(this, i, out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            int start = start(i);
            int end = end(i);
            out.putByte('{');
            for (int j = start; j < end; j++) {
                if (j > start) {
                    out.putByte(',');
                }
                if (key.jsonIsString()) {
                    key.writeJson(j, out);
                } else {
                    out.putByte('"');
                    key.writeJson(j, out);
                    out.putByte('"');
                }
                out.putByte(':');
                value.writeJson(j, out);
            }
            out.putByte('}');
        }
    }

    /** A dictionary-encoded vector: reads the index, then encodes the dictionary's value. */
    static final class Dictionary extends FieldEncoder {
        private final BaseIntVector indices;
        private final FieldEncoder values;

        Dictionary(ValueVector indices, FieldEncoder values) {
            super(indices);
            this.indices = (BaseIntVector) indices;
            this.values = values;
            // A dictionary value may be null where the index is not.
            this.checkNulls = true;
        }

        private int index(int i) {
            return (int) indices.getValueAsLong(i);
        }

        @Override
        boolean isNull(int i) {
            return vector.isNull(i) || values.isNull(index(i));
        }

        @Override
        void writeValue(int i, CopyBuffer out) {
            values.writeValue(index(i), out);
        }

        @Override
        void writeJsonValue(int i, CopyBuffer out) {
            values.writeJsonValue(index(i), out);
        }

        @Override
        boolean jsonIsString() {
            return values.jsonIsString();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
