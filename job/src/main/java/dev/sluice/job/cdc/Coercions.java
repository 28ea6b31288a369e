package dev.sluice.job.cdc;

import dev.sluice.job.config.DataType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;

/** Converts values to a field's {@code dtype}, and JDBC results to the job's value types. */
public final class Coercions {

    private Coercions() {}

    /**
     * {@code v} as {@code type}.
     *
     * @throws IllegalArgumentException saying which value could not become which type
     */
    public static Object coerce(Object v, DataType type) {
        if (v == null || type == null) {
            return v;
        }
        try {
            switch (type) {
                case STR:
                case JSON:
                    return v instanceof byte[]
                            ? new String((byte[]) v, StandardCharsets.UTF_8)
                            : v.toString();
                case INT:
                    if (v instanceof Boolean) {
                        return (Boolean) v ? 1L : 0L;
                    }
                    return v instanceof Number
                            ? new BigDecimal(v.toString()).longValueExact()
                            : Long.parseLong(v.toString().trim());
                case FLOAT:
                    return v instanceof Number
                            ? ((Number) v).doubleValue()
                            : Double.parseDouble(v.toString().trim());
                case DECIMAL:
                    return new BigDecimal(v.toString().trim());
                case BOOL:
                    if (v instanceof Boolean) {
                        return v;
                    }
                    if (v instanceof Number) {
                        return ((Number) v).doubleValue() != 0;
                    }
                    switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
                        case "true":
                        case "t":
                        case "yes":
                        case "1":
                            return true;
                        case "false":
                        case "f":
                        case "no":
                        case "0":
                            return false;
                        default:
                            throw new IllegalArgumentException("not a boolean");
                    }
                case DATE:
                    if (v instanceof LocalDate) {
                        return v;
                    }
                    if (v instanceof LocalDateTime) {
                        return ((LocalDateTime) v).toLocalDate();
                    }
                    if (v instanceof OffsetDateTime) {
                        return ((OffsetDateTime) v).toLocalDate();
                    }
                    return LocalDate.parse(v.toString().trim());
                case TIMESTAMP:
                    if (v instanceof LocalDateTime) {
                        return v;
                    }
                    if (v instanceof OffsetDateTime) {
                        return ((OffsetDateTime) v)
                                .withOffsetSameInstant(ZoneOffset.UTC)
                                .toLocalDateTime();
                    }
                    if (v instanceof LocalDate) {
                        return ((LocalDate) v).atStartOfDay();
                    }
                    return LocalDateTime.parse(v.toString().trim().replace(' ', 'T'));
                case TIMESTAMPTZ:
                    if (v instanceof OffsetDateTime) {
                        return v;
                    }
                    if (v instanceof LocalDateTime) {
                        return ((LocalDateTime) v).atOffset(ZoneOffset.UTC);
                    }
                    return OffsetDateTime.parse(v.toString().trim().replace(' ', 'T'));
                case UUID:
                    return v instanceof UUID ? v : UUID.fromString(v.toString().trim());
                case BYTES:
                    return v instanceof byte[] ? v : v.toString().getBytes(StandardCharsets.UTF_8);
                default:
                    throw new IllegalStateException(type.toString());
            }
        } catch (RuntimeException e) {
            String text = String.valueOf(v instanceof byte[] ? "<bytes>" : v);
            if (text.length() > 40) {
                text = text.substring(0, 40) + "…";
            }
            throw new IllegalArgumentException(
                    "cannot convert "
                            + v.getClass().getSimpleName()
                            + " '"
                            + text
                            + "' to dtype "
                            + type.key,
                    e);
        }
    }

    /** Column {@code i} of a transform query's result as one of the job's value types. */
    public static Object fromJdbc(ResultSet rs, int i) throws SQLException {
        String type = rs.getMetaData().getColumnTypeName(i);
        Object v;
        switch (type) {
            case "timestamptz":
                v = rs.getObject(i, OffsetDateTime.class);
                break;
            case "timestamp":
                v = rs.getObject(i, LocalDateTime.class);
                break;
            case "date":
                v = rs.getObject(i, LocalDate.class);
                break;
            case "time":
                v = rs.getObject(i, java.time.LocalTime.class);
                break;
            case "int2":
                v = rs.getObject(i) == null ? null : rs.getShort(i);
                break;
            default:
                v = rs.getObject(i);
                break;
        }
        if (v == null
                || v instanceof String
                || v instanceof Number
                || v instanceof Boolean
                || v instanceof byte[]
                || v instanceof UUID
                || v instanceof LocalDate
                || v instanceof LocalDateTime
                || v instanceof OffsetDateTime
                || v instanceof java.time.LocalTime) {
            if (v instanceof java.math.BigInteger) {
                return new BigDecimal((java.math.BigInteger) v);
            }
            return v;
        }
        return v.toString();
    }
}
