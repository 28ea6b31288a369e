package dev.sluice.sources.amp.devserver;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * One column of a generated table: its Arrow field and how to compute its value for the row under a
 * {@link RowCursor}, written straight into the column's vector.
 */
final class Column {

    /** Physical kinds, one per vector class the generator writes. */
    enum Kind {
        U64,
        U32,
        I32,
        BOOL,
        TIMESTAMP,
        FIXED_BINARY,
        BINARY,
        UTF8,
        DECIMAL,
        NESTED
    }

    interface LongGen {
        long get(RowCursor r);
    }

    interface NullGen {
        boolean isNull(RowCursor r);
    }

    /** Writes exactly the column's width of bytes into {@code out}. */
    interface BytesGen {
        void get(RowCursor r, byte[] out);
    }

    /** Writes a variable-length value into {@code out}; returns its length. */
    interface VarGen {
        int get(RowCursor r, byte[] out);
    }

    /** Writes a Decimal128 as {@code out[0]} = low and {@code out[1]} = high 64 bits. */
    interface DecGen {
        void get(RowCursor r, long[] out);
    }

    /** Writes a non-null nested value at {@code index}. */
    interface NestedGen {
        void write(FieldVector vector, int index, RowCursor r);
    }

    static final ArrowType TIMESTAMP_TYPE = new ArrowType.Timestamp(TimeUnit.NANOSECOND, "+00:00");
    static final ArrowType DECIMAL_TYPE = new ArrowType.Decimal(38, 0, 128);

    final Field field;
    final Kind kind;
    final int width;
    final int estimatedBytes;
    private final LongGen longGen;
    private final BytesGen bytesGen;
    private final VarGen varGen;
    private final DecGen decGen;
    private final NestedGen nestedGen;
    private final NullGen nullGen;

    private Column(
            Field field,
            Kind kind,
            int width,
            int estimatedBytes,
            LongGen longGen,
            BytesGen bytesGen,
            VarGen varGen,
            DecGen decGen,
            NestedGen nestedGen,
            NullGen nullGen) {
        this.field = field;
        this.kind = kind;
        this.width = width;
        this.estimatedBytes = estimatedBytes;
        this.longGen = longGen;
        this.bytesGen = bytesGen;
        this.varGen = varGen;
        this.decGen = decGen;
        this.nestedGen = nestedGen;
        this.nullGen = nullGen;
    }

    private static Column of(String name, ArrowType type, Kind kind, int bytes, LongGen g) {
        return new Column(
                Field.notNullable(name, type), kind, 0, bytes, g, null, null, null, null, null);
    }

    static Column u64(String name, LongGen g) {
        return of(name, new ArrowType.Int(64, false), Kind.U64, 8, g);
    }

    static Column u32(String name, LongGen g) {
        return of(name, new ArrowType.Int(32, false), Kind.U32, 4, g);
    }

    static Column i32(String name, LongGen g) {
        return of(name, new ArrowType.Int(32, true), Kind.I32, 4, g);
    }

    static Column bool(String name, LongGen g) {
        return of(name, ArrowType.Bool.INSTANCE, Kind.BOOL, 1, g);
    }

    static Column timestamp(String name, LongGen g) {
        return of(name, TIMESTAMP_TYPE, Kind.TIMESTAMP, 8, g);
    }

    static Column fixed(String name, int width, BytesGen g) {
        return new Column(
                Field.notNullable(name, new ArrowType.FixedSizeBinary(width)),
                Kind.FIXED_BINARY,
                width,
                width,
                null,
                g,
                null,
                null,
                null,
                null);
    }

    static Column binary(String name, int estimatedBytes, VarGen g) {
        return new Column(
                Field.notNullable(name, ArrowType.Binary.INSTANCE),
                Kind.BINARY,
                0,
                estimatedBytes + 4,
                null,
                null,
                g,
                null,
                null,
                null);
    }

    static Column utf8(String name, int estimatedBytes, VarGen g) {
        return new Column(
                Field.notNullable(name, ArrowType.Utf8.INSTANCE),
                Kind.UTF8,
                0,
                estimatedBytes + 4,
                null,
                null,
                g,
                null,
                null,
                null);
    }

    static Column decimal(String name, DecGen g) {
        return new Column(
                Field.notNullable(name, DECIMAL_TYPE),
                Kind.DECIMAL,
                0,
                16,
                null,
                null,
                null,
                g,
                null,
                null);
    }

    /** A nullable nested column (List/Struct); {@code nulls} says when it is null. */
    static Column nested(
            String name,
            ArrowType type,
            List<Field> children,
            int bytes,
            NullGen nulls,
            NestedGen g) {
        return new Column(
                new Field(name, FieldType.nullable(type), children),
                Kind.NESTED,
                0,
                bytes,
                null,
                null,
                null,
                null,
                g,
                nulls);
    }

    /** The same column, nullable, null whenever {@code nulls} says so. */
    Column nullWhen(NullGen nulls) {
        return new Column(
                new Field(
                        field.getName(), FieldType.nullable(field.getType()), field.getChildren()),
                kind,
                width,
                estimatedBytes,
                longGen,
                bytesGen,
                varGen,
                decGen,
                nestedGen,
                nulls);
    }

    String name() {
        return field.getName();
    }

    boolean isNull(RowCursor r) {
        return nullGen != null && nullGen.isNull(r);
    }

    long longValue(RowCursor r) {
        return longGen.get(r);
    }

    /**
     * The value's bytes (fixed or variable width) in a cursor scratch array; returns the length.
     */
    int bytesValue(RowCursor r) {
        if (kind == Kind.FIXED_BINARY) {
            byte[] out = width == 20 ? r.b20 : r.b32;
            bytesGen.get(r, out);
            return width;
        }
        return varGen.get(r, r.var);
    }

    /** The scratch array {@link #bytesValue} wrote into. */
    byte[] scratch(RowCursor r) {
        return kind == Kind.FIXED_BINARY ? (width == 20 ? r.b20 : r.b32) : r.var;
    }

    /** Writes this column's value for the cursor's row at {@code index}. */
    void write(FieldVector vector, int index, RowCursor r) {
        if (nullGen != null && nullGen.isNull(r)) {
            if (vector instanceof BaseVariableWidthVector) {
                ((BaseVariableWidthVector) vector).setNull(index);
            }
            return;
        }
        switch (kind) {
            case U64:
                ((UInt8Vector) vector).set(index, longGen.get(r));
                break;
            case U32:
                ((UInt4Vector) vector).set(index, (int) longGen.get(r));
                break;
            case I32:
                ((IntVector) vector).set(index, (int) longGen.get(r));
                break;
            case BOOL:
                ((BitVector) vector).set(index, (int) longGen.get(r));
                break;
            case TIMESTAMP:
                ((TimeStampNanoTZVector) vector).set(index, longGen.get(r));
                break;
            case FIXED_BINARY:
                byte[] out = width == 20 ? r.b20 : r.b32;
                bytesGen.get(r, out);
                ((FixedSizeBinaryVector) vector).set(index, out);
                break;
            case BINARY:
                ((VarBinaryVector) vector).setSafe(index, r.var, 0, varGen.get(r, r.var));
                break;
            case UTF8:
                ((VarCharVector) vector).setSafe(index, r.var, 0, varGen.get(r, r.var));
                break;
            case DECIMAL:
                decGen.get(r, r.dec);
                DecimalVector d = (DecimalVector) vector;
                ArrowBuf data = d.getDataBuffer();
                data.setLong(index * 16L, r.dec[0]);
                data.setLong(index * 16L + 8, r.dec[1]);
                BitVectorHelper.setBit(d.getValidityBuffer(), index);
                break;
            case NESTED:
                nestedGen.write(vector, index, r);
                break;
            default:
                throw new IllegalStateException("Unknown column kind " + kind);
        }
    }

    /** The column's type in the words error messages use. */
    String typeName() {
        return field.getType().toString();
    }
}
