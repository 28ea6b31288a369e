package dev.sluice.job.config;

import dev.sluice.job.config.EnrichmentSpec.OnError;
import dev.sluice.job.config.EnrichmentSpec.Output;
import dev.sluice.job.config.EnrichmentSpec.Type;
import dev.sluice.job.enrich.ExpressionException;
import dev.sluice.job.enrich.RowExpression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what enriches a pipeline's rows: the {@code enrichment} lookups, computed {@code fields}
 * and the {@code filter} expression. Expressions are syntax-checked here; whether their columns
 * exist is known only once the databases have been asked, when the pipeline is prepared.
 */
final class EnrichmentLoader {

    private static final Set<String> KEYS =
            Set.of(
                    "name",
                    "type",
                    "datastore",
                    "sql",
                    "key",
                    "path",
                    "method",
                    "body",
                    "output",
                    "on_error",
                    "timeout",
                    "retries",
                    "backoff",
                    "cache",
                    "max_in_flight");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    /** The path of a lookup template, rendered per row rather than when the file is read. */
    static final Pattern ROW_TEMPLATE =
            Pattern.compile("(^|.*\\.)enrichment\\[\\d+]\\.(key|path|body)");

    private EnrichmentLoader() {}

    static List<EnrichmentSpec> lookups(
            ConfigNode pipeline, Map<String, Datastore> datastores, java.nio.file.Path dir) {
        List<Object> raw = pipeline.list("enrichment");
        List<EnrichmentSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            ConfigNode n =
                    new ConfigNode(
                            pipeline.file, pipeline.child("enrichment[" + i + "]"), raw.get(i));
            EnrichmentSpec e = lookup(n, datastores, dir);
            if (!names.add(e.name)) {
                throw n.error("name", "duplicate lookup name '" + e.name + "'");
            }
            out.add(e);
        }
        return out;
    }

    private static EnrichmentSpec lookup(
            ConfigNode n, Map<String, Datastore> datastores, java.nio.file.Path dir) {
        n.allowOnly(KEYS);
        String name = n.required("name", "names the lookup in metrics, errors and dead letters");
        if (!PipelineFileLoader.NAME.matcher(name).matches()) {
            throw n.error("name", "must be letters, digits, '_' or '-' (at most 48)");
        }
        String typeKey = n.required("type", "sql, redis or http");
        Type type;
        Datastore.Type storeType;
        switch (typeKey) {
            case "sql":
                type = Type.SQL;
                storeType = Datastore.Type.POSTGRES;
                break;
            case "redis":
                type = Type.REDIS;
                storeType = Datastore.Type.REDIS;
                break;
            case "http":
                type = Type.HTTP;
                storeType = Datastore.Type.HTTP;
                break;
            default:
                throw n.error("type", "must be sql, redis or http, got '" + typeKey + "'");
        }
        Datastore store = PipelineFileLoader.datastoreRef(n, datastores, storeType);
        String sql = null;
        String key = null;
        String path = null;
        String method = null;
        String body = null;
        switch (type) {
            case SQL:
                sql = n.required("sql", "SELECT … WHERE id = :id");
                only(n, type, "key", "path", "method", "body");
                break;
            case REDIS:
                key = n.required("key", "e.g. \"user:{{ id }}\"");
                only(n, type, "sql", "path", "method", "body");
                break;
            default:
                path = n.string("path", "");
                method = n.string("method", "GET").toUpperCase(Locale.ROOT);
                if (!method.equals("GET") && !method.equals("POST")) {
                    throw n.error("method", "must be GET or POST, got '" + method + "'");
                }
                body = n.string("body", null);
                if (body != null && method.equals("GET")) {
                    throw n.error("body", "needs method: POST");
                }
                only(n, type, "sql", "key");
        }
        Map<String, Output> output = outputs(n, type);
        String policy = n.string("on_error", "fail");
        OnError onError;
        try {
            onError = OnError.valueOf(policy.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw n.error("on_error", "must be fail, null or dead_letter, got '" + policy + "'");
        }
        long cacheSize = 10_000;
        Duration cacheTtl = Duration.ofMinutes(5);
        Object cache = n.map.get("cache");
        if (Boolean.FALSE.equals(cache) || "false".equals(cache)) {
            cacheSize = 0;
        } else if (cache != null) {
            ConfigNode c = n.node("cache");
            c.allowOnly(Set.of("size", "ttl"));
            cacheSize = c.integer("size", 10_000, 0, 10_000_000);
            cacheTtl = duration(c, "ttl", cacheTtl);
        }
        return new EnrichmentSpec(
                name,
                type,
                store,
                sql,
                key,
                path,
                method,
                body,
                output,
                onError,
                duration(n, "timeout", Duration.ofSeconds(5)),
                n.integer("retries", 3, 0, 100),
                duration(n, "backoff", Duration.ofMillis(100)),
                cacheSize,
                cacheTtl,
                n.integer("max_in_flight", 100, 1, 10_000));
    }

    private static void only(ConfigNode n, Type type, String... notHere) {
        for (String k : notHere) {
            if (n.has(k)) {
                throw n.error(
                        k,
                        "does not apply to a " + type.name().toLowerCase(Locale.ROOT) + " lookup");
            }
        }
    }

    private static Map<String, Output> outputs(ConfigNode n, Type type) {
        Map<String, Output> out = new LinkedHashMap<>();
        ConfigNode o = n.node("output");
        if (o == null) {
            if (type != Type.SQL) {
                throw n.error(
                        "output",
                        "is required: target column → "
                                + (type == Type.HTTP
                                        ? "JSON path, e.g. {credit_score: \"$.score\"}"
                                        : "hash field or JSON path, e.g. {tier: tier}"));
            }
            return out;
        }
        for (Map.Entry<String, Object> e : o.map.entrySet()) {
            String column = e.getKey();
            Object v = e.getValue();
            String from;
            DataType dtype = null;
            if (v instanceof Map) {
                ConfigNode spec = o.node(column);
                spec.allowOnly(Set.of("from", "dtype"));
                from = spec.string("from", column);
                dtype = dtype(spec);
            } else if (v == null) {
                from = column;
            } else {
                from = o.string(column, column);
            }
            if (type == Type.HTTP && !from.startsWith("$")) {
                throw o.error(column, "must be a JSON path starting with $, got '" + from + "'");
            }
            out.put(column, new Output(from, dtype));
        }
        if (out.isEmpty()) {
            throw n.error("output", "must name at least one column");
        }
        return out;
    }

    static DataType dtype(ConfigNode n) {
        String key = n.string("dtype", null);
        if (key == null) {
            return null;
        }
        DataType t = DataType.of(key);
        if (t == null) {
            throw n.error("dtype", "unknown type '" + key + "'; allowed: " + DataType.allowed());
        }
        return t;
    }

    static Duration duration(ConfigNode n, String key, Duration fallback) {
        String s = n.string(key, null);
        if (s == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) {
            throw n.error(key, "must be a duration like 500ms, 5s, 2m or 1h, got '" + s + "'");
        }
        long v = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return Duration.ofMillis(v);
            case "m":
                return Duration.ofMinutes(v);
            case "h":
                return Duration.ofHours(v);
            default:
                return Duration.ofSeconds(v);
        }
    }

    /**
     * One {@code fields} entry: {@code source_column} is a column when it is a plain name, or when
     * it is not a valid expression (a column name with unusual characters); otherwise it is a CEL
     * expression.
     */
    static FieldSpec field(ConfigNode f) {
        f.allowOnly(Set.of("column", "source_column", "dtype"));
        String column = f.required("column", "the target column");
        DataType dtype = dtype(f);
        String source = f.string("source_column", column);
        boolean expression = false;
        if (!RowExpression.isIdentifier(source)) {
            try {
                RowExpression.checkSyntax(source);
                expression = true;
            } catch (ExpressionException e) {
                if (looksLikeExpression(source)) {
                    throw f.error("source_column", "not a valid expression: " + e.getMessage());
                }
            }
        }
        return new FieldSpec(column, source, dtype, expression);
    }

    private static boolean looksLikeExpression(String s) {
        for (char c : "()?<>=!+*/%&|[]'\"".toCharArray()) {
            if (s.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    static String filter(ConfigNode pipeline) {
        String filter = pipeline.string("filter", null);
        if (filter != null) {
            try {
                RowExpression.checkSyntax(filter);
            } catch (ExpressionException e) {
                throw pipeline.error("filter", "not a valid expression: " + e.getMessage());
            }
        }
        return filter;
    }
}
