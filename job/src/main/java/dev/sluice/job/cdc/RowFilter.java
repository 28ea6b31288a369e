package dev.sluice.job.cdc;

import dev.sluice.job.config.FilterSpec;
import dev.sluice.job.config.FilterSpec.Operator;
import dev.sluice.sinks.postgres.TableRef;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The filters of a CDC source, evaluated in the job on each row (and rendered as a publication row
 * filter for PostgreSQL 15+). A missing value or NULL fails every comparison, like SQL.
 */
final class RowFilter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<FilterSpec> filters;

    RowFilter(List<FilterSpec> filters) {
        this.filters = List.copyOf(filters);
    }

    boolean isEmpty() {
        return filters.isEmpty();
    }

    /** Whether the row passes every filter; {@code index} maps a column to its value index. */
    boolean test(java.util.function.ToIntFunction<String> index, IntFunction<Object> values) {
        for (FilterSpec f : filters) {
            int i = index.applyAsInt(f.column);
            Object v = i < 0 ? null : values.apply(i);
            if (!test(f, v)) {
                return false;
            }
        }
        return true;
    }

    static boolean test(FilterSpec f, Object v) {
        switch (f.operator) {
            case IS_NULL:
                return v == null;
            case IS_NOT_NULL:
                return v != null;
            case IN:
                return v != null && ((List<?>) f.value).stream().anyMatch(o -> compare(v, o) == 0);
            case NOT_IN:
                return v != null && ((List<?>) f.value).stream().noneMatch(o -> compare(v, o) == 0);
            default:
                break;
        }
        if (v == null) {
            return false;
        }
        int c = compare(v, f.value);
        switch (f.operator) {
            case EQ:
                return c == 0;
            case NE:
                return c != 0;
            case LT:
                return c < 0;
            case LE:
                return c <= 0;
            case GT:
                return c > 0;
            case GE:
                return c >= 0;
            default:
                throw new IllegalStateException(f.operator.toString());
        }
    }

    private static int compare(Object value, Object literal) {
        if (value instanceof Number && literal instanceof Number) {
            return new BigDecimal(value.toString()).compareTo(new BigDecimal(literal.toString()));
        }
        if (value instanceof Number && literal instanceof String) {
            try {
                return new BigDecimal(value.toString()).compareTo(new BigDecimal((String) literal));
            } catch (NumberFormatException e) {
                return value.toString().compareTo((String) literal);
            }
        }
        if (value instanceof Boolean) {
            return value.toString().compareTo(String.valueOf(literal).toLowerCase());
        }
        return value.toString().compareTo(String.valueOf(literal));
    }

    /** The filters as a SQL expression for a publication row filter (literals escaped). */
    String toSql() {
        List<String> parts = new ArrayList<>();
        for (FilterSpec f : filters) {
            String column = TableRef.quote(f.column);
            if (f.operator == Operator.IS_NULL || f.operator == Operator.IS_NOT_NULL) {
                parts.add(column + ' ' + f.operator.symbol.toUpperCase());
            } else if (f.operator == Operator.IN || f.operator == Operator.NOT_IN) {
                List<String> literals = new ArrayList<>();
                for (Object o : (List<?>) f.value) {
                    literals.add(literal(o));
                }
                parts.add(
                        column
                                + ' '
                                + f.operator.symbol.toUpperCase()
                                + " ("
                                + String.join(", ", literals)
                                + ')');
            } else {
                String op = f.operator == Operator.NE ? "<>" : f.operator.symbol;
                parts.add(column + ' ' + op + ' ' + literal(f.value));
            }
        }
        return String.join(" AND ", parts);
    }

    List<String> columns() {
        List<String> out = new ArrayList<>();
        for (FilterSpec f : filters) {
            out.add(f.column);
        }
        return out;
    }

    private static String literal(Object o) {
        if (o instanceof Boolean || o instanceof Long || o instanceof Double) {
            return o.toString();
        }
        return "'" + String.valueOf(o).replace("'", "''") + "'";
    }
}
