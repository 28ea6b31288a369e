package dev.sluice.sinks.postgres.internal;

import java.util.List;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;

/** Builds the {@link FieldEncoder} tree for a vector, following §6 of the type map. */
final class EncoderFactory {

    private EncoderFactory() {}

    static FieldEncoder create(FieldVector vector, DictionaryProvider dictionaries) {
        Field field = vector.getField();
        DictionaryEncoding encoding = field.getDictionary();
        if (encoding != null) {
            org.apache.arrow.vector.dictionary.Dictionary dictionary =
                    dictionaries == null ? null : dictionaries.lookup(encoding.getId());
            if (dictionary == null) {
                throw new IllegalArgumentException(
                        "Column "
                                + field.getName()
                                + " uses unknown dictionary "
                                + encoding.getId());
            }
            return new NestedEncoders.Dictionary(
                    vector, create(dictionary.getVector(), dictionaries));
        }
        ArrowType type = field.getType();
        switch (type.getTypeID()) {
            case Null:
                return new ScalarEncoders.AllNull(vector);
            case Bool:
                return new ScalarEncoders.Bool((BitVector) vector);
            case Int:
                {
                    ArrowType.Int t = (ArrowType.Int) type;
                    int bits = t.getBitWidth();
                    boolean signed = t.getIsSigned();
                    if (bits <= 8 || (bits == 16 && signed)) {
                        return new ScalarEncoders.Int(vector, bits, signed, 2);
                    } else if (bits == 16 || (bits == 32 && signed)) {
                        return new ScalarEncoders.Int(vector, bits, signed, 4);
                    } else if (bits == 32 || signed) {
                        return new ScalarEncoders.Int(vector, bits, signed, 8);
                    }
                    return new ScalarEncoders.UInt64(vector);
                }
            case FloatingPoint:
                {
                    FloatingPointPrecision p = ((ArrowType.FloatingPoint) type).getPrecision();
                    if (p == FloatingPointPrecision.HALF) {
                        return new ScalarEncoders.Float16((Float2Vector) vector);
                    }
                    return p == FloatingPointPrecision.SINGLE
                            ? new ScalarEncoders.Float32(vector)
                            : new ScalarEncoders.Float64(vector);
                }
            case Decimal:
                {
                    ArrowType.Decimal t = (ArrowType.Decimal) type;
                    if (t.getScale() < 0) {
                        throw new IllegalArgumentException(
                                "Column " + field.getName() + ": negative decimal scale " + t);
                    }
                    return new ScalarEncoders.Decimal(vector, t.getBitWidth() / 8, t.getScale());
                }
            case Timestamp:
                {
                    ArrowType.Timestamp t = (ArrowType.Timestamp) type;
                    return new ScalarEncoders.Timestamp(
                            vector, t.getUnit(), t.getTimezone() != null);
                }
            case Date:
                return new ScalarEncoders.Date(
                        vector,
                        ((ArrowType.Date) type).getUnit()
                                == org.apache.arrow.vector.types.DateUnit.MILLISECOND);
            case Time:
                {
                    ArrowType.Time t = (ArrowType.Time) type;
                    return new ScalarEncoders.Time(vector, t.getUnit(), t.getBitWidth());
                }
            case Duration:
                return new ScalarEncoders.Interval(
                        vector,
                        ScalarEncoders.Interval.DURATION,
                        ((ArrowType.Duration) type).getUnit());
            case Interval:
                {
                    switch (((ArrowType.Interval) type).getUnit()) {
                        case YEAR_MONTH:
                            return new ScalarEncoders.Interval(
                                    vector, ScalarEncoders.Interval.YEAR_MONTH, null);
                        case DAY_TIME:
                            return new ScalarEncoders.Interval(
                                    vector, ScalarEncoders.Interval.DAY_TIME, null);
                        default:
                            return new ScalarEncoders.Interval(
                                    vector, ScalarEncoders.Interval.MONTH_DAY_NANO, null);
                    }
                }
            case Utf8:
            case LargeUtf8:
                return new ScalarEncoders.VarWidth(vector, true);
            case Binary:
            case LargeBinary:
                return new ScalarEncoders.VarWidth(vector, false);
            case Utf8View:
                return new ScalarEncoders.View(vector, true);
            case BinaryView:
                return new ScalarEncoders.View(vector, false);
            case FixedSizeBinary:
                return new ScalarEncoders.FixedBinary((FixedSizeBinaryVector) vector);
            case Struct:
                {
                    StructVector struct = (StructVector) vector;
                    List<FieldVector> kids = struct.getChildrenFromFields();
                    String[] names = new String[kids.size()];
                    FieldEncoder[] encoders = new FieldEncoder[kids.size()];
                    for (int k = 0; k < kids.size(); k++) {
                        names[k] = kids.get(k).getField().getName();
                        encoders[k] = create(kids.get(k), dictionaries);
                    }
                    return new NestedEncoders.Struct(vector, names, encoders);
                }
            case Map:
                {
                    StructVector entries = (StructVector) ((MapVector) vector).getDataVector();
                    List<FieldVector> kv = entries.getChildrenFromFields();
                    return new NestedEncoders.Map(
                            vector,
                            create(kv.get(0), dictionaries),
                            create(kv.get(1), dictionaries));
                }
            case List:
            case LargeList:
            case FixedSizeList:
                {
                    FieldVector child = vector.getChildrenFromFields().get(0);
                    FieldEncoder element = create(child, dictionaries);
                    Field childValue =
                            PgTypeMap.resolve(
                                    child.getField(), PgTypeMap.Dictionaries.of(dictionaries));
                    if (PgTypeMap.isList(childValue.getType())) {
                        return new NestedEncoders.JsonList(vector, element);
                    }
                    int oid =
                            PgTypeMap.columnType(
                                            child.getField(),
                                            PgTypeMap.Dictionaries.of(dictionaries))
                                    .oid;
                    return new NestedEncoders.Array(vector, element, oid);
                }
            default:
                throw new IllegalArgumentException(
                        "Column " + field.getName() + ": Arrow type " + type + " is not supported");
        }
    }
}
