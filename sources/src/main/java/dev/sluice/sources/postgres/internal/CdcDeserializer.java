package dev.sluice.sources.postgres.internal;

import dev.sluice.sources.postgres.CdcChange;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's change envelopes into {@link CdcChange}s: Connect values become plain Java
 * values (decimals, dates, timestamps, UUIDs by their Debezium logical names), the PostgreSQL type
 * of each column comes from {@code column.propagate.source.type}, and TOAST columns the server did
 * not send (Debezium's placeholder) are flagged unchanged instead of becoming values. Records
 * without an envelope (heartbeats) are skipped.
 */
public final class CdcDeserializer implements DebeziumDeserializationSchema<CdcChange> {

    private static final long serialVersionUID = 1L;

    /** Debezium's placeholder for TOAST values that an update did not change (its default). */
    public static final String UNAVAILABLE = "__debezium_unavailable_value";

    private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);

    @Override
    public void deserialize(SourceRecord record, Collector<CdcChange> out) {
        if (!(record.value() instanceof Struct)) {
            return;
        }
        Struct envelope = (Struct) record.value();
        Field opField = envelope.schema().field("op");
        if (opField == null || envelope.get(opField) == null) {
            return;
        }
        CdcChange.Op op = CdcChange.Op.fromCode(envelope.getString("op"));
        Struct source = envelope.getStruct("source");
        Struct before = envelope.getStruct("before");
        Struct after = envelope.getStruct("after");
        Schema rowSchema = after != null ? after.schema() : before != null ? before.schema() : null;
        if (rowSchema == null) {
            return;
        }
        List<Field> fields = rowSchema.fields();
        int n = fields.size();
        String[] columns = new String[n];
        String[] types = new String[n];
        Object[] beforeValues = before == null ? null : new Object[n];
        Object[] afterValues = after == null ? null : new Object[n];
        boolean[] unchanged = new boolean[n];
        for (int i = 0; i < n; i++) {
            Field f = fields.get(i);
            columns[i] = f.name();
            types[i] = sourceType(f.schema());
            if (before != null) {
                Field bf = before.schema().field(f.name());
                Object v = bf == null ? null : convert(bf.schema(), before.get(bf));
                beforeValues[i] = isUnavailable(v) ? null : v;
            }
            if (after != null) {
                Object v = convert(f.schema(), after.get(f));
                if (isUnavailable(v)) {
                    unchanged[i] = true;
                    v = null;
                }
                afterValues[i] = v;
            }
        }
        if (op == CdcChange.Op.DELETE && beforeValues == null) {
            return;
        }
        String schema = source.getString("schema");
        String table = source.getString("table");
        Object lsn = source.schema().field("lsn") == null ? null : source.get("lsn");
        out.collect(
                new CdcChange(
                        op,
                        schema,
                        table,
                        columns,
                        types,
                        beforeValues,
                        afterValues,
                        unchanged,
                        lsn instanceof Number ? ((Number) lsn).longValue() : 0L));
    }

    private static boolean isUnavailable(Object v) {
        return UNAVAILABLE.equals(v)
                || (v instanceof byte[] && Arrays.equals((byte[]) v, UNAVAILABLE_BYTES));
    }

    /** The PostgreSQL type Debezium propagated for a column, e.g. {@code numeric(10,2)}. */
    static String sourceType(Schema schema) {
        Map<String, String> params = schema.parameters();
        if (params == null) {
            return null;
        }
        String type = params.get("__debezium.source.column.type");
        if (type == null) {
            return null;
        }
        type = type.toLowerCase(java.util.Locale.ROOT);
        boolean array = type.startsWith("_");
        if (array) {
            type = type.substring(1);
        }
        String length = params.get("__debezium.source.column.length");
        String scale = params.get("__debezium.source.column.scale");
        switch (type) {
            case "varchar":
            case "bpchar":
            case "bit":
            case "varbit":
                if (length != null && !length.equals("0") && !length.equals("2147483647")) {
                    type = type + "(" + length + ")";
                }
                break;
            case "numeric":
                if (length != null
                        && !length.equals("0")
                        && !length.equals("131089")
                        && !length.equals("2147483647")) {
                    type = "numeric(" + length + "," + (scale == null ? "0" : scale) + ")";
                }
                break;
            default:
                break;
        }
        return array ? type + "[]" : type;
    }

    /** A Connect value as a plain Java value. */
    static Object convert(Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case "org.apache.kafka.connect.data.Decimal":
                    return v;
                case "io.debezium.data.VariableScaleDecimal":
                    {
                        Struct s = (Struct) v;
                        return new BigDecimal(
                                new BigInteger(bytes(s.get("value"))), s.getInt32("scale"));
                    }
                case "io.debezium.time.Date":
                    return LocalDate.ofEpochDay(((Number) v).longValue());
                case "io.debezium.time.Time":
                    return LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000L);
                case "io.debezium.time.MicroTime":
                    return LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000L);
                case "io.debezium.time.NanoTime":
                    return LocalTime.ofNanoOfDay(((Number) v).longValue());
                case "io.debezium.time.Timestamp":
                    return micros(((Number) v).longValue() * 1_000L);
                case "io.debezium.time.MicroTimestamp":
                    return micros(((Number) v).longValue());
                case "io.debezium.time.NanoTimestamp":
                    {
                        long nanos = ((Number) v).longValue();
                        return LocalDateTime.ofEpochSecond(
                                Math.floorDiv(nanos, 1_000_000_000L),
                                (int) Math.floorMod(nanos, 1_000_000_000L),
                                ZoneOffset.UTC);
                    }
                case "io.debezium.time.ZonedTimestamp":
                    return OffsetDateTime.parse((String) v);
                case "io.debezium.time.ZonedTime":
                    return v.toString();
                case "io.debezium.data.Uuid":
                    return UUID.fromString((String) v);
                default:
                    break;
            }
        }
        switch (schema.type()) {
            case INT8:
                return (short) ((Byte) v);
            case BYTES:
                return bytes(v);
            case ARRAY:
                return arrayLiteral((List<?>) v);
            case STRUCT:
            case MAP:
                return v.toString();
            default:
                return v;
        }
    }

    private static LocalDateTime micros(long micros) {
        return LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000,
                ZoneOffset.UTC);
    }

    private static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        return (byte[]) v;
    }

    /** A PostgreSQL array literal ({@code {a,"b c",NULL}}), which the server casts on write. */
    static String arrayLiteral(List<?> values) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            b.append(i == 0 ? "" : ",");
            if (v == null) {
                b.append("NULL");
            } else if (v instanceof List) {
                b.append(arrayLiteral((List<?>) v));
            } else {
                String s = v.toString();
                b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return b.append('}').toString();
    }

    @Override
    public TypeInformation<CdcChange> getProducedType() {
        return CdcChange.typeInfo();
    }
}
