package dev.sluice.job.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.job.config.FilterSpec.Operator;
import dev.sluice.job.config.MergeSpec.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a pipeline file: parses the YAML, renders {@code {{ env(…) }}} templates on every value,
 * reads {@code *_file} secrets, pulls in folder pipelines ({@code folder: dir} with {@code
 * dir/config.yaml} and its SQL files) and checks everything — unknown keys, missing datastores, bad
 * operators, a unique_key missing from the fields — with one {@link ConfigException} naming file,
 * key path and what is allowed. Nothing connects anywhere.
 */
public final class PipelineFileLoader {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,48}");
    static final Pattern IDENT = Pattern.compile("[^\\x00]{1,63}");

    private static final Set<String> TOP = Set.of("datastores", "pipelines");
    private static final Set<String> POSTGRES_KEYS =
            Set.of(
                    "name",
                    "type",
                    "host",
                    "port",
                    "database",
                    "username",
                    "password",
                    "url",
                    "parameters");
    private static final Set<String> AMP_KEYS = Set.of("name", "type", "url", "auth_token");
    private static final Set<String> REDIS_KEYS =
            Set.of("name", "type", "url", "username", "password", "ca_file");
    private static final Set<String> HTTP_KEYS =
            Set.of(
                    "name",
                    "type",
                    "url",
                    "headers",
                    "auth_token",
                    "username",
                    "password",
                    "ca_file");
    private static final Set<String> PIPELINE_KEYS =
            Set.of(
                    "name",
                    "source",
                    "transform",
                    "enrichment",
                    "fields",
                    "filter",
                    "sink",
                    "folder");
    private static final Set<String> CDC_SOURCE_KEYS =
            Set.of(
                    "datastore",
                    "table",
                    "snapshot",
                    "filters",
                    "slot_name",
                    "publication",
                    "wal_warning_mb");
    private static final Set<String> AMP_SOURCE_KEYS =
            Set.of("datastore", "dataset", "tables", "retention_blocks");
    private static final Set<String> TRANSFORM_KEYS =
            Set.of(
                    "datastore",
                    "sql",
                    "sql_file",
                    "insert_sql",
                    "insert_sql_file",
                    "update_sql",
                    "update_sql_file",
                    "delete_sql",
                    "delete_sql_file");
    private static final Set<String> CDC_SINK_KEYS =
            Set.of(
                    "datastore",
                    "table",
                    "dbschema",
                    "merge_strategy",
                    "unique_key",
                    "fields",
                    "dead_letter_table");
    private static final Set<String> AMP_SINK_KEYS = Set.of("datastore", "dbschema");

    private final Map<String, String> environment;
    private final Templates templates;

    public PipelineFileLoader(Map<String, String> environment) {
        this.environment = environment;
        this.templates = new Templates(environment);
    }

    /** Loads and validates {@code file}. */
    public PipelineFile load(Path file) {
        String name = file.toString();
        Object root = render(name, "", parse(file));
        ConfigNode top = new ConfigNode(name, "", root).allowOnly(TOP);
        Map<String, Datastore> datastores = new LinkedHashMap<>();
        List<Object> stores = top.list("datastores");
        if (stores.isEmpty()) {
            throw top.error("datastores", "is required: a list of {name, type, …}");
        }
        for (int i = 0; i < stores.size(); i++) {
            Datastore d =
                    datastore(new ConfigNode(name, "datastores[" + i + "]", stores.get(i)), file);
            if (datastores.put(d.name, d) != null) {
                throw new ConfigException(
                        name, "datastores[" + i + "].name", "duplicate datastore '" + d.name + "'");
            }
        }
        List<Object> entries = top.list("pipelines");
        if (entries.isEmpty()) {
            throw top.error("pipelines", "is required: a list of pipelines");
        }
        List<PipelineSpec> pipelines = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> slots = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            ConfigNode n = new ConfigNode(name, "pipelines[" + i + "]", entries.get(i));
            Path dir = file.toAbsolutePath().getParent();
            String defaultName = null;
            if (n.has("folder")) {
                n.allowOnly(Set.of("folder"));
                dir = dir.resolve(n.string("folder", null)).normalize();
                Path config = dir.resolve("config.yaml");
                if (!Files.isRegularFile(config)) {
                    throw n.error("folder", "has no config.yaml (" + config + ")");
                }
                defaultName = dir.getFileName().toString();
                n =
                        new ConfigNode(
                                config.toString(),
                                "",
                                render(config.toString(), "", parse(config)));
            }
            PipelineSpec p = pipeline(n, dir, defaultName, datastores);
            if (!names.add(p.name)) {
                throw n.error("name", "duplicate pipeline name '" + p.name + "'");
            }
            if (p.isCdc() && !slots.add(p.source.name + "/" + p.slotName)) {
                throw n.error("source.slot_name", "slot '" + p.slotName + "' is used twice");
            }
            pipelines.add(p);
        }
        return new PipelineFile(file, datastores, pipelines);
    }

    private static Object parse(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            Object root =
                    yaml.readValue(Files.readString(file, StandardCharsets.UTF_8), Object.class);
            if (root == null) {
                throw new ConfigException(file.toString(), "", "the file is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    file.toString(),
                    "",
                    "not valid YAML: "
                            + e.getOriginalMessage().split("\n")[0]
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", "cannot read it: " + e.getMessage());
        }
    }

    /** Renders templates on every scalar; substituted text is never parsed as YAML. */
    private Object render(String file, String path, Object v) {
        if (v instanceof String) {
            try {
                return templates.render(
                        (String) v, EnrichmentLoader.ROW_TEMPLATE.matcher(path).matches());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, path, e.getMessage());
            }
        }
        if (v instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String key = String.valueOf(e.getKey());
                out.put(key, render(file, path.isEmpty() ? key : path + "." + key, e.getValue()));
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            List<?> in = (List<?>) v;
            for (int i = 0; i < in.size(); i++) {
                out.add(render(file, path + "[" + i + "]", in.get(i)));
            }
            return out;
        }
        return v;
    }

    /** A key's value, or the trimmed content of its {@code <key>_file}; never both. */
    private String valueOrFile(ConfigNode n, String key, Path base) {
        String direct = n.string(key, null);
        String fileName = n.string(key + "_file", null);
        if (direct != null && fileName != null) {
            throw n.error(key, "is set twice: give " + key + " or " + key + "_file, not both");
        }
        if (fileName == null) {
            return direct;
        }
        Path p = base.resolve(fileName);
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8).trim();
            if (s.isEmpty()) {
                throw n.error(key + "_file", "the file " + p + " is empty");
            }
            return s;
        } catch (IOException e) {
            throw n.error(
                    key + "_file", "cannot read " + p + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Set<String> withFiles(Set<String> keys) {
        Set<String> out = new HashSet<>(keys);
        for (String k : keys) {
            if (!k.equals("name") && !k.equals("type")) {
                out.add(k + "_file");
            }
        }
        return out;
    }

    private Datastore datastore(ConfigNode n, Path file) {
        String name = n.required("name", "a name pipelines refer to");
        if (!NAME.matcher(name).matches()) {
            throw n.error("name", "must be letters, digits, '_' or '-' (at most 48)");
        }
        String type = n.required("type", "postgres or amp");
        Path base = file.toAbsolutePath().getParent();
        switch (type) {
            case "postgres":
                {
                    n.allowOnly(withFiles(POSTGRES_KEYS));
                    String url = valueOrFile(n, "url", base);
                    String host = valueOrFile(n, "host", base);
                    String database = valueOrFile(n, "database", base);
                    String username = valueOrFile(n, "username", base);
                    String password = valueOrFile(n, "password", base);
                    String parameters = valueOrFile(n, "parameters", base);
                    int port = 5432;
                    if (url != null) {
                        if (host != null || database != null) {
                            throw n.error("url", "give url or host/port/database, not both");
                        }
                        dev.sluice.job.cli.DatabaseUrl parsed;
                        try {
                            parsed = dev.sluice.job.cli.DatabaseUrl.parse(url);
                        } catch (IllegalArgumentException e) {
                            throw n.error("url", e.getMessage());
                        }
                        java.net.URI uri = java.net.URI.create(parsed.jdbcUrl().substring(5));
                        host = uri.getHost();
                        port = uri.getPort() > 0 ? uri.getPort() : 5432;
                        database = uri.getPath().substring(1);
                        parameters = uri.getRawQuery();
                        username = username != null ? username : parsed.user();
                        password = password != null ? password : parsed.password();
                    } else {
                        if (host == null) {
                            throw n.error("host", "is required (or give url)");
                        }
                        if (database == null) {
                            throw n.error("database", "is required (or give url)");
                        }
                        String portText = valueOrFile(n, "port", base);
                        if (portText != null) {
                            try {
                                port = Integer.parseInt(portText.trim());
                            } catch (NumberFormatException e) {
                                port = -1;
                            }
                            if (port < 1 || port > 65535) {
                                throw n.error("port", "must be a port number 1..65535");
                            }
                        }
                    }
                    if (username == null) {
                        throw n.error("username", "is required (or put user:password in url)");
                    }
                    return new Datastore(
                            name,
                            Datastore.Type.POSTGRES,
                            host,
                            port,
                            database,
                            username,
                            password == null ? null : new Secret(password),
                            parameters,
                            null,
                            null);
                }
            case "amp":
                {
                    n.allowOnly(withFiles(AMP_KEYS));
                    String url = valueOrFile(n, "url", base);
                    if (url == null) {
                        throw n.error("url", "is required, e.g. grpc://localhost:1602");
                    }
                    String address = url.startsWith("grpc://") ? "http://" + url.substring(7) : url;
                    if (url.startsWith("grpcs://")) {
                        address = "https://" + url.substring(8);
                    }
                    try {
                        address = dev.sluice.job.cli.Parsers.ampAddress(address);
                    } catch (RuntimeException e) {
                        throw n.error("url", e.getMessage());
                    }
                    String token = valueOrFile(n, "auth_token", base);
                    return new Datastore(
                            name,
                            Datastore.Type.AMP,
                            null,
                            0,
                            null,
                            null,
                            null,
                            null,
                            address,
                            token == null ? null : new Secret(token));
                }
            case "redis":
                n.allowOnly(withFiles(REDIS_KEYS));
                return LookupDatastores.redis(
                        n,
                        name,
                        valueOrFile(n, "url", base),
                        valueOrFile(n, "username", base),
                        valueOrFile(n, "password", base),
                        caFile(n, base));
            case "http":
                {
                    n.allowOnly(withFiles(HTTP_KEYS));
                    Map<String, Secret> headers = new LinkedHashMap<>();
                    ConfigNode h = n.node("headers");
                    if (h != null) {
                        for (String header : h.map.keySet()) {
                            headers.put(header, new Secret(h.string(header, "")));
                        }
                    }
                    return LookupDatastores.http(
                            n,
                            name,
                            valueOrFile(n, "url", base),
                            headers,
                            valueOrFile(n, "auth_token", base),
                            valueOrFile(n, "username", base),
                            valueOrFile(n, "password", base),
                            caFile(n, base));
                }
            default:
                throw n.error("type", "must be postgres, amp, redis or http, got '" + type + "'");
        }
    }

    private static String caFile(ConfigNode n, Path base) {
        String ca = n.string("ca_file", null);
        if (ca == null) {
            return null;
        }
        Path p = base.resolve(ca);
        if (!Files.isReadable(p)) {
            throw n.error("ca_file", "cannot read " + p);
        }
        return p.toString();
    }

    private PipelineSpec pipeline(
            ConfigNode n, Path dir, String defaultName, Map<String, Datastore> datastores) {
        n.allowOnly(PIPELINE_KEYS);
        String name = n.string("name", defaultName);
        if (name == null) {
            throw n.error("name", "is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw n.error(
                    "name", "must be letters, digits, '_' or '-' (at most 48), got '" + name + "'");
        }
        ConfigNode source = n.node("source");
        if (source == null) {
            throw n.error("source", "is required");
        }
        ConfigNode sink = n.node("sink");
        if (sink == null) {
            throw n.error("sink", "is required");
        }
        Datastore from = datastoreRef(source, datastores, null);
        Datastore to = datastoreRef(sink, datastores, Datastore.Type.POSTGRES);
        if (from.type == Datastore.Type.AMP) {
            source.allowOnly(AMP_SOURCE_KEYS);
            sink.allowOnly(AMP_SINK_KEYS);
            if (n.has("transform")) {
                throw n.error("transform", "is only supported on postgres (CDC) sources");
            }
            List<FieldSpec> computed = fields(n, null);
            String dataset = source.required("dataset", "e.g. _/anvil@latest");
            try {
                dev.sluice.sources.amp.protocol.DatasetReference.parse(dataset);
            } catch (RuntimeException e) {
                throw source.error("dataset", e.getMessage());
            }
            List<String> tables = source.stringList("tables");
            if (tables.isEmpty()) {
                throw source.error("tables", "is required: the tables of the dataset to sync");
            }
            return new PipelineSpec(
                    name,
                    from,
                    null,
                    null,
                    true,
                    List.of(),
                    null,
                    null,
                    0,
                    dataset,
                    tables,
                    source.integer("retention_blocks", 128, 64, 1_000_000),
                    null,
                    to,
                    sink.string("dbschema", "public"),
                    null,
                    null,
                    List.of(),
                    computed,
                    EnrichmentLoader.lookups(n, datastores, dir),
                    EnrichmentLoader.filter(n),
                    null);
        }
        source.allowOnly(CDC_SOURCE_KEYS);
        ConfigNode table = source.node("table");
        if (table == null) {
            throw source.error("table", "is required: {table: users, dbschema: public}");
        }
        table.allowOnly(Set.of("table", "dbschema"));
        String sourceTable = table.required("table", null);
        String sourceSchema = table.string("dbschema", "public");
        String snapshotMode = source.string("snapshot", "initial");
        if (!snapshotMode.equals("initial") && !snapshotMode.equals("never")) {
            throw source.error("snapshot", "must be initial or never, got '" + snapshotMode + "'");
        }
        List<FilterSpec> filters = new ArrayList<>();
        List<Object> rawFilters = source.list("filters");
        for (int i = 0; i < rawFilters.size(); i++) {
            filters.add(
                    filter(
                            new ConfigNode(
                                    source.file,
                                    source.child("filters[" + i + "]"),
                                    rawFilters.get(i))));
        }
        String slotDefault = "sluice_" + name.toLowerCase(Locale.ROOT).replace('-', '_');
        String slot = source.string("slot_name", slotDefault);
        if (!dev.sluice.sources.postgres.PostgresCdcSourceBuilder.SLOT_NAME
                .matcher(slot)
                .matches()) {
            throw source.error("slot_name", "must be 1 to 63 lower-case letters, digits or '_'");
        }
        String publication = source.string("publication", slotDefault);
        long walWarning =
                source.integer("wal_warning_mb", 1024, 1, Integer.MAX_VALUE) * 1024L * 1024L;

        TransformSpec transform = transform(n.node("transform"), dir, from, datastores);

        sink.allowOnly(CDC_SINK_KEYS);
        String sinkTable = sink.string("table", sourceTable);
        String sinkSchema = sink.string("dbschema", "public");
        MergeSpec merge = merge(sink.node("merge_strategy"), sink);
        List<String> uniqueKey = sink.stringList("unique_key");
        if (n.has("fields") && sink.has("fields")) {
            throw n.error("fields", "is set twice: give fields or sink.fields, not both");
        }
        List<FieldSpec> fields = fields(n.has("fields") ? n : sink, sink);
        Set<String> columns = new java.util.LinkedHashSet<>();
        fields.forEach(f -> columns.add(f.column));
        if (uniqueKey.isEmpty() && merge.strategy != Strategy.APPEND) {
            throw sink.error(
                    "unique_key",
                    "is required for merge strategy "
                            + merge.strategy.key()
                            + ": the target columns that identify a row, e.g. [id]");
        }
        for (String key : uniqueKey) {
            if (!fields.isEmpty() && !columns.contains(key)) {
                throw sink.error(
                        "unique_key",
                        "column '"
                                + key
                                + "' is not among the fields ("
                                + String.join(", ", columns)
                                + "): add {column: "
                                + key
                                + ", source_column: …} to fields");
            }
        }
        for (String reserved : List.of("_op", "_lsn", merge.signColumn)) {
            if (columns.contains(reserved)
                    && ((merge.strategy == Strategy.APPEND && !reserved.equals(merge.signColumn))
                            || (merge.strategy == Strategy.COLLAPSE
                                    && reserved.equals(merge.signColumn)))) {
                throw sink.error(
                        "fields",
                        "column '"
                                + reserved
                                + "' is written by the merge strategy "
                                + merge.strategy.key());
            }
        }
        return new PipelineSpec(
                name,
                from,
                sourceSchema,
                sourceTable,
                snapshotMode.equals("initial"),
                filters,
                slot,
                publication,
                walWarning,
                null,
                List.of(),
                0,
                transform,
                to,
                sinkSchema,
                sinkTable,
                merge,
                uniqueKey,
                fields,
                EnrichmentLoader.lookups(n, datastores, dir),
                EnrichmentLoader.filter(n),
                sink.string("dead_letter_table", sinkTable + "_dead_letter"));
    }

    /** The {@code fields} of {@code owner}; for the pipeline level, {@code sink} is null. */
    private static List<FieldSpec> fields(ConfigNode owner, ConfigNode sink) {
        List<FieldSpec> fields = new ArrayList<>();
        Set<String> columns = new HashSet<>();
        List<Object> raw = owner.list("fields");
        for (int i = 0; i < raw.size(); i++) {
            ConfigNode f = new ConfigNode(owner.file, owner.child("fields[" + i + "]"), raw.get(i));
            FieldSpec spec = EnrichmentLoader.field(f);
            if (!columns.add(spec.column)) {
                throw f.error("column", "duplicate target column '" + spec.column + "'");
            }
            fields.add(spec);
        }
        return fields;
    }

    static Datastore datastoreRef(
            ConfigNode n, Map<String, Datastore> datastores, Datastore.Type required) {
        String ref = n.required("datastore", "the name of a datastore");
        Datastore d = datastores.get(ref);
        if (d == null) {
            throw n.error(
                    "datastore",
                    "no datastore named '"
                            + ref
                            + "'; defined: "
                            + String.join(", ", datastores.keySet()));
        }
        if (required != null && d.type != required) {
            throw n.error(
                    "datastore",
                    "'"
                            + ref
                            + "' is of type "
                            + d.type.name().toLowerCase(Locale.ROOT)
                            + " but must be "
                            + required.name().toLowerCase(Locale.ROOT));
        }
        return d;
    }

    private static FilterSpec filter(ConfigNode f) {
        f.allowOnly(Set.of("column", "operator", "value"));
        String column = f.required("column", null);
        String op = f.required("operator", Operator.allowed());
        Operator operator = Operator.of(op);
        if (operator == null) {
            throw f.error(
                    "operator", "unknown operator '" + op + "'; allowed: " + Operator.allowed());
        }
        Object value = f.map.get("value");
        if (operator == Operator.IS_NULL || operator == Operator.IS_NOT_NULL) {
            if (value != null) {
                throw f.error("value", "must not be set with operator '" + operator.symbol + "'");
            }
        } else if (operator == Operator.IN || operator == Operator.NOT_IN) {
            if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
                throw f.error(
                        "value",
                        "must be a non-empty list with operator '" + operator.symbol + "'");
            }
            for (Object o : (List<?>) value) {
                checkScalar(f, o);
            }
        } else {
            if (value == null) {
                throw f.error("value", "is required with operator '" + operator.symbol + "'");
            }
            checkScalar(f, value);
        }
        return new FilterSpec(column, operator, normalize(value));
    }

    private static void checkScalar(ConfigNode f, Object o) {
        if (o == null || o instanceof Map || o instanceof List) {
            throw f.error(
                    "value",
                    "must be a number, a string or true/false, got " + ConfigNode.describe(o));
        }
    }

    private static Object normalize(Object v) {
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(normalize(o));
            }
            return out;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof java.math.BigInteger) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float || v instanceof java.math.BigDecimal) {
            return ((Number) v).doubleValue();
        }
        return v;
    }

    private MergeSpec merge(ConfigNode m, ConfigNode sink) {
        if (m == null) {
            return new MergeSpec(Strategy.UPSERT, true, "_sign");
        }
        m.allowOnly(Set.of("strategy", "allow_delete", "sign_column"));
        String s = m.string("strategy", "upsert");
        Strategy strategy;
        try {
            strategy = Strategy.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw m.error(
                    "strategy",
                    "unknown strategy '"
                            + s
                            + "'; allowed: upsert, delete_insert, collapse, append");
        }
        if (m.has("sign_column") && strategy != Strategy.COLLAPSE) {
            throw m.error("sign_column", "only applies to strategy collapse");
        }
        return new MergeSpec(
                strategy, m.bool("allow_delete", true), m.string("sign_column", "_sign"));
    }

    private TransformSpec transform(
            ConfigNode t, Path dir, Datastore source, Map<String, Datastore> datastores) {
        String[] sql = new String[4];
        String[] keys = {"sql", "insert_sql", "update_sql", "delete_sql"};
        String[] folderFiles = {"transform.sql", "insert.sql", "update.sql", "delete.sql"};
        Datastore where = source;
        if (t != null) {
            t.allowOnly(TRANSFORM_KEYS);
            if (t.has("datastore")) {
                where = datastoreRef(t, datastores, Datastore.Type.POSTGRES);
            }
            for (int i = 0; i < keys.length; i++) {
                sql[i] = valueOrFile(t, keys[i], dir);
            }
        }
        for (int i = 0; i < keys.length; i++) {
            Path f = dir.resolve(folderFiles[i]);
            if (sql[i] == null && Files.isRegularFile(f) && t == null) {
                try {
                    sql[i] = Files.readString(f, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    throw new ConfigException(f.toString(), "", "cannot read it");
                }
            }
            if (sql[i] != null) {
                try {
                    sql[i] = templates.render(sql[i]);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(
                            dir.resolve(folderFiles[i]).toString(), "", e.getMessage());
                }
            }
        }
        return new TransformSpec(sql[0], sql[1], sql[2], sql[3], where);
    }
}
