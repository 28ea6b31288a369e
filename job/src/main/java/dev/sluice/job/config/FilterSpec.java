package dev.sluice.job.config;

import java.io.Serializable;
import java.util.List;

/** A row filter of a CDC source: {@code column operator value}; rows that fail it are skipped. */
public final class FilterSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The operators a filter may use. */
    public enum Operator {
        EQ("="),
        NE("!="),
        LT("<"),
        LE("<="),
        GT(">"),
        GE(">="),
        IN("in"),
        NOT_IN("not in"),
        IS_NULL("is null"),
        IS_NOT_NULL("is not null");

        public final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public static Operator of(String s) {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            if (t.equals("<>")) {
                return NE;
            }
            if (t.equals("==")) {
                return EQ;
            }
            for (Operator o : values()) {
                if (o.symbol.equals(t)) {
                    return o;
                }
            }
            return null;
        }

        public static String allowed() {
            return "=, !=, <>, <, <=, >, >=, in, not in, is null, is not null";
        }
    }

    public final String column;
    public final Operator operator;

    /** A scalar (String, Long, Double, Boolean) or, for in / not in, a list of them. */
    public final Object value;

    public FilterSpec(String column, Operator operator, Object value) {
        this.column = column;
        this.operator = operator;
        this.value = value instanceof List ? List.copyOf((List<?>) value) : value;
    }

    @Override
    public String toString() {
        return column + ' ' + operator.symbol + (value == null ? "" : " " + value);
    }
}
