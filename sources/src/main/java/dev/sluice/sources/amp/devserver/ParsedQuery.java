package dev.sluice.sources.amp.devserver;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link SqlParser} read from a query, before it is checked against the tables. */
final class ParsedQuery {

    /** A literal on the right of a comparison. */
    static final class Literal {
        final BigInteger number;
        final String string;
        final Boolean bool;
        final byte[] topic;

        private Literal(BigInteger number, String string, Boolean bool, byte[] topic) {
            this.number = number;
            this.string = string;
            this.bool = bool;
            this.topic = topic;
        }

        static Literal number(BigInteger n) {
            return new Literal(n, null, null, null);
        }

        static Literal string(String s) {
            return new Literal(null, s, null, null);
        }

        static Literal bool(boolean b) {
            return new Literal(null, null, b, null);
        }

        static Literal topic(byte[] t) {
            return new Literal(null, null, null, t);
        }

        @Override
        public String toString() {
            return number != null
                    ? number.toString()
                    : string != null
                            ? "'" + string + "'"
                            : bool != null ? bool.toString() : "evm_topic(…)";
        }
    }

    /** {@code column op literal}, or {@code column IS [NOT] NULL} (then literal is null). */
    static final class Condition {
        final String column;
        final String op;
        final Literal literal;

        Condition(String column, String op, Literal literal) {
            this.column = column;
            this.op = op;
            this.literal = literal;
        }
    }

    boolean selectAll;
    final List<String> columns = new ArrayList<>();
    String dataset;
    String table;
    final List<Condition> conditions = new ArrayList<>();
    final List<String> nonIncremental = new ArrayList<>();
    Long limit;
    final Map<String, String> settings = new LinkedHashMap<>();
}
