package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The Arrow → PostgreSQL type map of amp-protocol.md §6, spelled as {@code format_type()} prints it
 * so that an existing column can be compared with what a schema needs. Dictionary-encoded fields
 * map to their value type, which the caller passes in as the field.
 */
public final class PgTypeMap {

    /** A PostgreSQL type: its {@code format_type} spelling and its OID (for array elements). */
    public static final class PgType {
        public final String sql;
        public final int oid;
        public final String lossNote;

        PgType(String sql, int oid, String lossNote) {
            this.sql = sql;
            this.oid = oid;
            this.lossNote = lossNote;
        }

        @Override
        public String toString() {
            return sql;
        }
    }

    static final int BOOL = 16;
    static final int BYTEA = 17;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int DATE = 1082;
    static final int TIME = 1083;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int INTERVAL = 1186;
    static final int NUMERIC = 1700;
    static final int JSONB = 3802;

    private static final String NS_LOSS = "nanoseconds are truncated to microseconds";

    private PgTypeMap() {}

    /** The column type of {@code field}, looking through dictionary encoding. */
    public static PgType columnType(Field field, Dictionaries dictionaries) {
        Field resolved = resolve(field, dictionaries);
        ArrowType type = resolved.getType();
        if (isList(type)) {
            Field child = resolve(resolved.getChildren().get(0), dictionaries);
            if (isList(child.getType())) {
                return new PgType("jsonb", JSONB, "a list of lists is stored as a JSON array");
            }
            PgType element = columnType(child, dictionaries);
            return new PgType(element.sql + "[]", 0, element.lossNote);
        }
        return scalarType(type);
    }

    static boolean isList(ArrowType type) {
        return type instanceof ArrowType.List
                || type instanceof ArrowType.LargeList
                || type instanceof ArrowType.FixedSizeList;
    }

    /** The field that holds a field's values: itself, or its dictionary's value field. */
    static Field resolve(Field field, Dictionaries dictionaries) {
        DictionaryEncoding encoding = field.getDictionary();
        if (encoding == null) {
            return field;
        }
        Field value = dictionaries.valueField(encoding.getId());
        return new Field(
                field.getName(),
                new org.apache.arrow.vector.types.pojo.FieldType(
                        field.isNullable(), value.getType(), null, value.getMetadata()),
                value.getChildren());
    }

    private static PgType scalarType(ArrowType type) {
        switch (type.getTypeID()) {
            case Null:
                return new PgType("text", TEXT, null);
            case Bool:
                return new PgType("boolean", BOOL, null);
            case Int:
                {
                    ArrowType.Int t = (ArrowType.Int) type;
                    int bits = t.getBitWidth();
                    if (bits <= 8 || (bits == 16 && t.getIsSigned())) {
                        return new PgType("smallint", INT2, null);
                    } else if (bits == 16 || (bits == 32 && t.getIsSigned())) {
                        return new PgType("integer", INT4, null);
                    } else if (bits == 32 || t.getIsSigned()) {
                        return new PgType("bigint", INT8, null);
                    }
                    return new PgType("numeric(20,0)", NUMERIC, null);
                }
            case FloatingPoint:
                {
                    ArrowType.FloatingPoint t = (ArrowType.FloatingPoint) type;
                    return t.getPrecision()
                                    == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
                            ? new PgType("double precision", FLOAT8, null)
                            : new PgType("real", FLOAT4, null);
                }
            case Decimal:
                {
                    ArrowType.Decimal t = (ArrowType.Decimal) type;
                    if (t.getScale() < 0 || t.getScale() > t.getPrecision()) {
                        return new PgType("numeric", NUMERIC, null);
                    }
                    return new PgType(
                            "numeric(" + t.getPrecision() + "," + t.getScale() + ")",
                            NUMERIC,
                            null);
                }
            case Timestamp:
                {
                    ArrowType.Timestamp t = (ArrowType.Timestamp) type;
                    String loss =
                            t.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND
                                    ? NS_LOSS
                                    : null;
                    return t.getTimezone() == null
                            ? new PgType("timestamp without time zone", TIMESTAMP, loss)
                            : new PgType("timestamp with time zone", TIMESTAMPTZ, loss);
                }
            case Date:
                return new PgType("date", DATE, null);
            case Time:
                {
                    ArrowType.Time t = (ArrowType.Time) type;
                    String loss =
                            t.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND
                                    ? NS_LOSS
                                    : null;
                    return new PgType("time without time zone", TIME, loss);
                }
            case Duration:
                {
                    ArrowType.Duration t = (ArrowType.Duration) type;
                    String loss =
                            t.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND
                                    ? NS_LOSS
                                    : null;
                    return new PgType("interval", INTERVAL, loss);
                }
            case Interval:
                {
                    ArrowType.Interval t = (ArrowType.Interval) type;
                    String loss =
                            t.getUnit() == org.apache.arrow.vector.types.IntervalUnit.MONTH_DAY_NANO
                                    ? NS_LOSS
                                    : null;
                    return new PgType("interval", INTERVAL, loss);
                }
            case Utf8:
            case LargeUtf8:
            case Utf8View:
                return new PgType("text", TEXT, null);
            case Binary:
            case LargeBinary:
            case FixedSizeBinary:
            case BinaryView:
                return new PgType("bytea", BYTEA, null);
            case Struct:
            case Map:
                return new PgType("jsonb", JSONB, null);
            default:
                throw new IllegalArgumentException(
                        "Arrow type " + type + " has no PostgreSQL mapping");
        }
    }

    /** Looks up the value field of a dictionary by id. */
    public interface Dictionaries {
        Field valueField(long dictionaryId);

        /** For schemas without dictionaries. */
        Dictionaries NONE =
                id -> {
                    throw new IllegalArgumentException(
                            "The schema uses dictionary " + id + " but no dictionaries were given");
                };

        /** Dictionaries of an IPC reader or any other provider. */
        static Dictionaries of(org.apache.arrow.vector.dictionary.DictionaryProvider provider) {
            if (provider == null) {
                return NONE;
            }
            return id -> {
                org.apache.arrow.vector.dictionary.Dictionary d = provider.lookup(id);
                if (d == null) {
                    throw new IllegalArgumentException("Dictionary " + id + " is not known");
                }
                return d.getVector().getField();
            };
        }
    }
}
