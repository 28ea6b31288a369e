package dev.sluice.job.enrich;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A Redis key, HTTP path or HTTP body template of one lookup, parsed once and rendered per row in
 * the {@link TemplateSandbox}. Template variables are row columns. A variable whose value is null
 * makes {@link #render} return null: the lookup is skipped and its outputs are null. In a {@link
 * Mode#PATH} template every value is percent-encoded (UTF-8, everything but {@code A-Z a-z 0-9 - .
 * _ ~}) as it is read, so a value cannot add path segments, a query or a fragment; filters then see
 * the encoded text.
 */
final class LookupTemplate {

    /** How values are substituted. */
    enum Mode {
        /** As they are (Redis keys, JSON bodies: use {@code | tojson} to quote strings). */
        RAW,
        /** Percent-encoded (HTTP paths). */
        PATH
    }

    private final String lookup;
    private final String field;
    private final String text;
    private final Mode mode;
    private final Node tree;

    private LookupTemplate(String lookup, String field, String text, Mode mode, Node tree) {
        this.lookup = lookup;
        this.field = field;
        this.text = text;
        this.mode = mode;
        this.tree = tree;
    }

    /**
     * Parses {@code text}.
     *
     * @throws LookupSetupException with Jinjava's message when it does not parse
     */
    static LookupTemplate parse(String lookup, String field, String text, Mode mode)
            throws LookupSetupException {
        Jinjava engine = TemplateSandbox.engine();
        JinjavaInterpreter interpreter =
                new JinjavaInterpreter(engine, sandboxContext(engine), engine.getGlobalConfig());
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node tree = interpreter.parse(text);
            if (!interpreter.getErrors().isEmpty()) {
                throw doesNotParse(lookup, field, messages(interpreter.getErrors()), null);
            }
            return new LookupTemplate(lookup, field, text, mode, tree);
        } catch (RuntimeException e) {
            throw doesNotParse(lookup, field, e.getMessage(), e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    private static LookupSetupException doesNotParse(
            String lookup, String field, String why, Exception cause) {
        return new LookupSetupException(
                "Lookup " + lookup + ": " + field + " template does not parse: " + why, cause);
    }

    /**
     * The rendered text, or null when a variable it read is null in {@code row}.
     *
     * @throws LookupException (not retriable) when the template fails for this row
     */
    String render(Map<String, Object> row) throws LookupException {
        try {
            return renderRow(row);
        } catch (RenderException e) {
            throw LookupException.permanent(
                    "Lookup " + lookup + ": " + field + " template failed: " + e.getMessage(), e);
        }
    }

    private String renderRow(Map<String, Object> row) {
        boolean[] sawNull = new boolean[1];
        String out =
                render(
                        name -> {
                            Object v = row.get(name);
                            if (v == null) {
                                sawNull[0] = true;
                                return null;
                            }
                            return substitute(v);
                        },
                        null);
        return sawNull[0] ? null : out;
    }

    /**
     * The variables the template reads, found by rendering it with sample values: once truthy, once
     * falsy, so both branches of a plain {@code {% if %}} are seen. With {@code rowTypes} (column →
     * PostgreSQL type), each must be a column.
     *
     * @throws LookupSetupException for a variable that is not a column, or a template that does not
     *     render with the samples
     */
    Set<String> variables(Map<String, String> rowTypes) throws LookupSetupException {
        Set<String> names = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        render(
                name -> {
                    names.add(name);
                    return substitute(sample(rowTypes, name));
                },
                errors);
        List<String> ignored = new ArrayList<>();
        render(
                name -> {
                    names.add(name);
                    return "";
                },
                ignored);
        if (rowTypes != null) {
            for (String name : names) {
                if (!rowTypes.containsKey(name)) {
                    throw new LookupSetupException(
                            "Lookup "
                                    + lookup
                                    + ": the "
                                    + field
                                    + " template reads '"
                                    + name
                                    + "', which is not a column of the row (columns: "
                                    + String.join(", ", rowTypes.keySet())
                                    + ")",
                            null);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new LookupSetupException(
                    "Lookup "
                            + lookup
                            + ": the "
                            + field
                            + " template does not render: "
                            + String.join("; ", errors),
                    null);
        }
        return names;
    }

    /** The template rendered with sample values for {@code rowTypes}' columns. */
    String renderSample(Map<String, String> rowTypes) {
        return render(name -> substitute(sample(rowTypes, name)), new ArrayList<>());
    }

    /** A non-null, truthy value of the column's type, so numeric filters and tests work. */
    private static Object sample(Map<String, String> rowTypes, String column) {
        String type = rowTypes == null ? null : rowTypes.get(column);
        if (type == null) {
            return 1L;
        }
        switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "bool":
            case "boolean":
                return true;
            case "int2":
            case "int4":
            case "int8":
            case "smallint":
            case "integer":
            case "int":
            case "bigint":
            case "numeric":
            case "decimal":
            case "float4":
            case "float8":
            case "real":
            case "double precision":
                return 1L;
            default:
                return "1";
        }
    }

    private String render(Function<String, Object> values, List<String> errorsOut) {
        Jinjava engine = TemplateSandbox.engine();
        Context context = sandboxContext(engine);
        context.setDynamicVariableResolver(values::apply);
        JinjavaInterpreter interpreter =
                new JinjavaInterpreter(engine, context, engine.getGlobalConfig());
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            String out;
            try {
                out = interpreter.render(tree);
            } catch (RuntimeException e) {
                // tags such as include report by throwing, not in getErrors()
                if (errorsOut == null) {
                    throw new RenderException(String.valueOf(e.getMessage()));
                }
                errorsOut.add(String.valueOf(e.getMessage()));
                return "";
            }
            if (!interpreter.getErrors().isEmpty()) {
                String message = messages(interpreter.getErrors());
                if (errorsOut == null) {
                    throw new RenderException(message);
                }
                errorsOut.add(message);
            }
            return out;
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    /** The disabled functions and tags apply only to contexts that are given them. */
    private static Context sandboxContext(Jinjava engine) {
        return new Context(engine.getGlobalContext(), null, engine.getGlobalConfig().getDisabled());
    }

    private Object substitute(Object v) {
        Object plain = plain(v);
        // Numbers and booleans need no encoding and stay numbers, so `{{ n + 1 }}` still adds.
        if (mode == Mode.PATH && plain instanceof String) {
            return URLEncoder.encode(String.valueOf(plain), StandardCharsets.UTF_8)
                    .replace("+", "%20")
                    .replace("*", "%2A")
                    .replace("%7E", "~");
        }
        return plain;
    }

    /** Values as templates know them: strings, numbers and booleans; the rest as text. */
    private static Object plain(Object v) {
        if (v == null
                || v instanceof String
                || v instanceof Long
                || v instanceof Integer
                || v instanceof Short
                || v instanceof Double
                || v instanceof Float
                || v instanceof Boolean) {
            return v;
        }
        // Whole numbers as longs where they fit (Amp's UInt64 _block_num arrives as a BigInteger):
        // Jinja's arithmetic on a BigDecimal renders `5 % 2` as "1.0".
        if (v instanceof BigInteger) {
            BigInteger i = (BigInteger) v;
            return i.bitLength() < 64 ? (Object) i.longValue() : new BigDecimal(i);
        }
        if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            if (d.scale() <= 0 && d.precision() - d.scale() < 19) {
                return d.longValueExact();
            }
            return d;
        }
        if (v instanceof byte[]) {
            // 0x-hex: how addresses and hashes are written in the APIs blockchain rows meet
            StringBuilder hex = new StringBuilder("0x");
            for (byte b : (byte[]) v) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16))
                        .append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        }
        return v.toString();
    }

    private static String messages(List<TemplateError> errors) {
        StringBuilder b = new StringBuilder();
        for (TemplateError e : errors) {
            b.append(b.length() == 0 ? "" : "; ")
                    .append(e.getMessage())
                    .append(e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return field + " '" + text + "'";
    }

    /** A template error at run time. */
    private static final class RenderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RenderException(String message) {
            super(message);
        }
    }
}
