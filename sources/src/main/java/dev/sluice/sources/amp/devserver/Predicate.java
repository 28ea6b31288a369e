package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.BlockHashes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A WHERE condition checked against a column's type once, then evaluated per generated row. */
final class Predicate {

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private enum Op {
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE,
        IS_NULL,
        IS_NOT_NULL
    }

    private final Column column;
    private final Op op;
    private final long number;

    /** -1: every value is below the literal, +1: every value is above it, 0: compare. */
    private final int outOfRange;

    private final byte[] bytes;

    private Predicate(Column column, Op op, long number, int outOfRange, byte[] bytes) {
        this.column = column;
        this.op = op;
        this.number = number;
        this.outOfRange = outOfRange;
        this.bytes = bytes;
    }

    /**
     * Binds a parsed condition to a column.
     *
     * @throws IllegalArgumentException if the comparison does not fit the column's type
     */
    static Predicate bind(Column column, ParsedQuery.Condition c) {
        Op op = op(c.op);
        if (op == Op.IS_NULL || op == Op.IS_NOT_NULL) {
            return new Predicate(column, op, 0, 0, null);
        }
        ParsedQuery.Literal lit = c.literal;
        boolean equality = op == Op.EQ || op == Op.NE;
        switch (column.kind) {
            case U64:
            case U32:
            case I32:
                if (lit.number == null) {
                    throw mismatch(column, c, "an integer");
                }
                BigInteger min = column.kind == Column.Kind.U64 ? BigInteger.ZERO : I64_MIN;
                BigInteger max = column.kind == Column.Kind.U64 ? U64_MAX : I64_MAX;
                if (lit.number.compareTo(min) < 0) {
                    return new Predicate(column, op, 0, 1, null);
                }
                if (lit.number.compareTo(max) > 0) {
                    return new Predicate(column, op, 0, -1, null);
                }
                return new Predicate(column, op, lit.number.longValue(), 0, null);
            case BOOL:
                if (lit.bool == null || !equality) {
                    throw mismatch(column, c, "= or != with TRUE or FALSE");
                }
                return new Predicate(column, op, lit.bool ? 1 : 0, 0, null);
            case FIXED_BINARY:
            case BINARY:
                if (!equality) {
                    throw mismatch(column, c, "= or != with '0x…' or evm_topic('…')");
                }
                byte[] value = lit.topic != null ? lit.topic : hex(column, c, lit);
                if (column.kind == Column.Kind.FIXED_BINARY && value.length != column.width) {
                    throw new IllegalArgumentException(
                            "Column "
                                    + column.name()
                                    + " holds "
                                    + column.width
                                    + " bytes but the literal "
                                    + lit
                                    + " has "
                                    + value.length);
                }
                return new Predicate(column, op, 0, 0, value);
            case UTF8:
                if (lit.string == null || !equality) {
                    throw mismatch(column, c, "= or != with a 'string'");
                }
                return new Predicate(column, op, 0, 0, lit.string.getBytes(StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException(
                        "Comparisons on column "
                                + column.name()
                                + " ("
                                + column.typeName()
                                + ") are not supported by the Amp dev server; only IS [NOT]"
                                + " NULL is");
        }
    }

    private static byte[] hex(Column column, ParsedQuery.Condition c, ParsedQuery.Literal lit) {
        if (lit.string == null || !lit.string.matches("0x([0-9a-fA-F]{2})*")) {
            throw mismatch(column, c, "a '0x…' hex string or evm_topic('…')");
        }
        return BlockHashes.fromHex(lit.string);
    }

    private static Op op(String op) {
        switch (op) {
            case "=":
                return Op.EQ;
            case "!=":
                return Op.NE;
            case "<":
                return Op.LT;
            case "<=":
                return Op.LE;
            case ">":
                return Op.GT;
            case ">=":
                return Op.GE;
            case "IS NULL":
                return Op.IS_NULL;
            default:
                return Op.IS_NOT_NULL;
        }
    }

    private static IllegalArgumentException mismatch(
            Column column, ParsedQuery.Condition c, String expected) {
        return new IllegalArgumentException(
                "Cannot compare column "
                        + column.name()
                        + " ("
                        + column.typeName()
                        + ") with "
                        + c.op
                        + " "
                        + c.literal
                        + ": use "
                        + expected);
    }

    boolean test(RowCursor r) {
        boolean isNull = column.isNull(r);
        if (op == Op.IS_NULL) {
            return isNull;
        }
        if (op == Op.IS_NOT_NULL || isNull) {
            return !isNull && op == Op.IS_NOT_NULL;
        }
        if (bytes != null) {
            int len = column.bytesValue(r);
            boolean eq = Arrays.equals(column.scratch(r), 0, len, bytes, 0, bytes.length);
            return op == Op.EQ ? eq : !eq;
        }
        int cmp;
        if (outOfRange != 0) {
            cmp = outOfRange;
        } else if (column.kind == Column.Kind.U64) {
            cmp = Long.compareUnsigned(column.longValue(r), number);
        } else {
            cmp = Long.compare(column.longValue(r), number);
        }
        switch (op) {
            case EQ:
                return cmp == 0;
            case NE:
                return cmp != 0;
            case LT:
                return cmp < 0;
            case LE:
                return cmp <= 0;
            case GT:
                return cmp > 0;
            default:
                return cmp >= 0;
        }
    }
}
