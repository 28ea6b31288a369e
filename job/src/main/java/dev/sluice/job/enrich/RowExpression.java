package dev.sluice.job.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelParserFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A computed field or a filter: a <a href="https://cel.dev">CEL</a> expression over the row's
 * columns, e.g. {@code order_count > 10 ? 1 : 0}. CEL is not Turing complete (no loops beyond
 * bounded macros over lists, no recursion), has no access to Java, files or the network, and always
 * terminates, so a pipeline file cannot run arbitrary code. Columns are declared {@code dyn}: a
 * value's type is the column's, and {@code x == null} tests for a missing value. The strings and
 * math extensions are on ({@code name.lowerAscii()}, {@code math.greatest(a, b)}).
 */
public final class RowExpression implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CelOptions OPTIONS =
            CelOptions.current()
                    .maxExpressionCodePointSize(10_000)
                    .maxParseRecursionDepth(64)
                    .comprehensionMaxIterations(10_000)
                    .enableHeterogeneousNumericComparisons(true)
                    .build();

    private final String source;
    private final List<String> columns;
    private final String sqlType;

    private transient CelRuntime.Program program;

    private RowExpression(String source, List<String> columns, String sqlType) {
        this.source = source;
        this.columns = columns;
        this.sqlType = sqlType;
    }

    /** Whether {@code text} is a plain name, which a field reads as a column, not an expression. */
    public static boolean isIdentifier(String text) {
        return IDENTIFIER.matcher(text).matches();
    }

    /**
     * Checks the syntax only (the columns are not known yet when the pipeline file is read).
     *
     * @throws ExpressionException with CEL's message, line and column
     */
    public static void checkSyntax(String source) throws ExpressionException {
        var result =
                CelParserFactory.standardCelParserBuilder()
                        .setOptions(OPTIONS)
                        .build()
                        .parse(source);
        if (result.hasError()) {
            throw new ExpressionException(firstError(result.getErrorString()), null);
        }
    }

    /** The first of CEL's errors, on one line: later ones mostly follow from it. */
    private static String firstError(String errors) {
        int next = errors.indexOf("\nERROR:", 1);
        String first = next < 0 ? errors : errors.substring(0, next);
        return first.replace("ERROR: <input>:", "at ").replaceAll("\\s*\n\\s*", " ").trim();
    }

    /**
     * Compiles {@code source} against the row's {@code columns} (those that are identifiers can be
     * used).
     *
     * @throws ExpressionException naming an undeclared column or a type error, with its position
     */
    public static RowExpression compile(String source, Collection<String> columns)
            throws ExpressionException {
        List<String> usable = new ArrayList<>();
        for (String c : columns) {
            if (isIdentifier(c)) {
                usable.add(c);
            }
        }
        CelAbstractSyntaxTree ast = check(source, usable);
        return new RowExpression(source, usable, sqlTypeOf(ast.getResultType()));
    }

    private static CelAbstractSyntaxTree check(String source, List<String> columns)
            throws ExpressionException {
        var builder =
                CelCompilerFactory.standardCelCompilerBuilder()
                        .setOptions(OPTIONS)
                        .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS));
        for (String c : columns) {
            builder.addVar(c, SimpleType.DYN);
        }
        CelCompiler compiler = builder.build();
        try {
            return compiler.compile(source).getAst();
        } catch (CelValidationException e) {
            throw new ExpressionException(
                    firstError(e.getMessage()) + " (columns: " + columns + ")", e);
        }
    }

    private static String sqlTypeOf(CelType type) {
        CelKind kind = type.kind();
        switch (kind) {
            case BOOL:
                return "boolean";
            case INT:
                return "bigint";
            case UINT:
                return "numeric";
            case DOUBLE:
                return "double precision";
            case STRING:
                return "text";
            case BYTES:
                return "bytea";
            case TIMESTAMP:
                return "timestamptz";
            case LIST:
            case MAP:
                return "jsonb";
            default:
                return null; // dyn, null, …: depends on the values; the field needs a dtype
        }
    }

    public String source() {
        return source;
    }

    /** The PostgreSQL type of the result, or null when only the values could tell (dyn). */
    public String sqlType() {
        return sqlType;
    }

    /**
     * The value for {@code row} (column → value), as the job's value types: Long, Double, String,
     * Boolean, byte[], OffsetDateTime, JSON text for lists and maps, or null.
     *
     * @throws ExpressionException when the row's values do not fit the expression (e.g. {@code null
     *     > 10}); the message quotes the expression
     */
    public Object evaluate(Map<String, Object> row) throws ExpressionException {
        if (program == null) {
            program = newProgram();
        }
        Map<String, Object> vars = new HashMap<>();
        for (String c : columns) {
            vars.put(c, toCel(row.get(c)));
        }
        try {
            return fromCel(program.eval(vars));
        } catch (CelEvaluationException e) {
            throw new ExpressionException(
                    "expression '" + source + "': " + e.getMessage().replace('\n', ' '), e);
        }
    }

    /** Evaluates a filter: true keeps the row; a non-boolean result is an error. */
    public boolean test(Map<String, Object> row) throws ExpressionException {
        Object v = evaluate(row);
        if (!(v instanceof Boolean)) {
            throw new ExpressionException(
                    "filter '" + source + "' must be true or false, got " + v, null);
        }
        return (Boolean) v;
    }

    private CelRuntime.Program newProgram() throws ExpressionException {
        CelAbstractSyntaxTree ast = check(source, columns);
        CelRuntime runtime =
                CelRuntimeFactory.standardCelRuntimeBuilder()
                        .setOptions(OPTIONS)
                        .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS))
                        .build();
        try {
            return runtime.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw new ExpressionException("expression '" + source + "': " + e.getMessage(), e);
        }
    }

    /** The job's value types as CEL values. */
    static Object toCel(Object v) {
        if (v == null) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
        }
        if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            try {
                return d.longValueExact(); // whole numbers stay ints, so `count > 10` works
            } catch (ArithmeticException notWhole) {
                return d.doubleValue();
            }
        }
        if (v instanceof BigInteger) {
            BigInteger i = (BigInteger) v;
            return i.bitLength() < 64 ? i.longValue() : i.doubleValue();
        }
        if (v instanceof byte[]) {
            return ByteString.copyFrom((byte[]) v);
        }
        if (v instanceof Instant) {
            return timestamp((Instant) v);
        }
        if (v instanceof OffsetDateTime) {
            return timestamp(((OffsetDateTime) v).toInstant());
        }
        if (v instanceof LocalDateTime) {
            return timestamp(((LocalDateTime) v).toInstant(ZoneOffset.UTC));
        }
        if (v instanceof LocalDate || v instanceof UUID) {
            return v.toString();
        }
        return v;
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    /** A CEL result as one of the job's value types. */
    static Object fromCel(Object v) throws ExpressionException {
        if (v == null
                || v instanceof dev.cel.common.values.NullValue
                || v instanceof com.google.protobuf.NullValue) {
            return null;
        }
        if (v instanceof ByteString) {
            return ((ByteString) v).toByteArray();
        }
        if (v instanceof Timestamp) {
            Timestamp t = (Timestamp) v;
            return OffsetDateTime.ofInstant(
                    Instant.ofEpochSecond(t.getSeconds(), t.getNanos()), ZoneOffset.UTC);
        }
        if (v instanceof com.google.common.primitives.UnsignedLong) {
            return ((com.google.common.primitives.UnsignedLong) v).bigIntegerValue();
        }
        if (v instanceof Map || v instanceof List) {
            try {
                return JSON.writeValueAsString(plain(v));
            } catch (JsonProcessingException e) {
                throw new ExpressionException("cannot write the result as JSON", e);
            }
        }
        return v;
    }

    private static Object plain(Object v) throws ExpressionException {
        if (v instanceof Map) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put(String.valueOf(e.getKey()), plain(e.getValue()));
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(plain(o));
            }
            return out;
        }
        Object scalar = fromCel(v);
        return scalar instanceof byte[]
                ? java.util.Base64.getEncoder().encodeToString((byte[]) scalar)
                : scalar instanceof OffsetDateTime ? scalar.toString() : scalar;
    }

    @Override
    public String toString() {
        return source;
    }
}
