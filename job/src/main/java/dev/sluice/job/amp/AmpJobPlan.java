package dev.sluice.job.amp;

import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sinks.postgres.PostgresSink;
import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.TableOptions;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpSchemas;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One Amp pipeline, planned: which streams feed which tables, and the source and sink to run them.
 * {@link #prepareTargets} talks to both servers once, before the job starts: it reads every
 * stream's schema from Amp and creates or evolves the target tables.
 */
public final class AmpJobPlan {

    private final String name;
    private final AmpSource source;
    private final Map<String, TableRef> targets;
    private final Map<String, List<String>> uniqueKeys;
    private final int retentionBlocks;
    private final DatabaseTarget database;
    private AmpEnrichmentPlan enrichment;

    /** Where the sink writes; the password stays out of every message. */
    public static final class DatabaseTarget {
        final String jdbcUrl;
        final String user;
        final String password;
        final CommitMode commitMode;
        final int maxConnections;
        final String transactionalIdPrefix;

        public DatabaseTarget(
                String jdbcUrl,
                String user,
                String password,
                CommitMode commitMode,
                int maxConnections,
                String transactionalIdPrefix) {
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
            this.commitMode = commitMode;
            this.maxConnections = maxConnections;
            this.transactionalIdPrefix = transactionalIdPrefix;
        }

        /** The exactly-once sink that writes here. */
        public PostgresSink sink() {
            return PostgresSink.builder()
                    .setJdbcUrl(jdbcUrl)
                    .setUser(user == null ? "" : user)
                    .setPassword(password == null ? "" : password)
                    .setCommitMode(commitMode)
                    .setMaxDbConnections(maxConnections)
                    .setTransactionalIdPrefix(transactionalIdPrefix)
                    .build();
        }

        /** A connection for set-up work (DDL, catalog reads), outside the sink. */
        public Connection connect() throws SQLException {
            Properties props = new Properties();
            if (user != null) {
                props.setProperty("user", user);
            }
            if (password != null) {
                props.setProperty("password", password);
            }
            return DriverManager.getConnection(jdbcUrl, props);
        }
    }

    public AmpJobPlan(
            String name,
            AmpSource source,
            Map<String, TableRef> targets,
            int retentionBlocks,
            DatabaseTarget database) {
        this(name, source, targets, Map.of(), retentionBlocks, database);
    }

    /**
     * With {@code uniqueKeys} (stream id → key columns): those tables are merged by key, with the
     * key as primary key, instead of appended.
     */
    public AmpJobPlan(
            String name,
            AmpSource source,
            Map<String, TableRef> targets,
            Map<String, List<String>> uniqueKeys,
            int retentionBlocks,
            DatabaseTarget database) {
        this.name = name;
        this.source = source;
        this.targets = Map.copyOf(targets);
        this.uniqueKeys = Map.copyOf(uniqueKeys);
        this.retentionBlocks = retentionBlocks;
        this.database = database;
    }

    /**
     * Stream id → key columns for the tables in {@code keysByTable} (table name → columns), for
     * every dataset; a table not streamed is an error.
     */
    public static Map<String, List<String>> uniqueKeysFor(
            List<DatasetReference> datasets,
            List<String> tables,
            Map<String, List<String>> keysByTable) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : keysByTable.entrySet()) {
            if (!tables.contains(e.getKey())) {
                throw new IllegalArgumentException(
                        "--unique-key names table '"
                                + e.getKey()
                                + "', which is not among --tables "
                                + tables);
            }
            for (DatasetReference dataset : datasets) {
                keys.put(AmpStreamSpec.idFor(dataset, e.getKey()), e.getValue());
            }
        }
        return keys;
    }

    /**
     * The target of each table of each dataset, in {@code schema}: {@code <table>} for one dataset,
     * {@code <dataset name>_<table>} when several datasets would share table names.
     */
    public static Map<String, TableRef> targetsFor(
            List<DatasetReference> datasets, List<String> tables, String schema) {
        Map<String, TableRef> targets = new LinkedHashMap<>();
        for (DatasetReference dataset : datasets) {
            for (String table : tables) {
                String target = datasets.size() == 1 ? table : dataset.name() + "_" + table;
                targets.put(AmpStreamSpec.idFor(dataset, table), new TableRef(schema, target));
            }
        }
        return targets;
    }

    /**
     * Enriches the rows of every table of this plan: lookups, computed fields (appended to the
     * table's columns) and a filter; see docs/pipelines.md.
     */
    public AmpJobPlan withEnrichment(
            List<dev.sluice.job.config.EnrichmentSpec> lookups,
            List<dev.sluice.job.config.FieldSpec> fields,
            String filter) {
        AmpEnrichmentPlan plan = new AmpEnrichmentPlan(name, lookups, fields, filter);
        this.enrichment = plan.isEmpty() ? null : plan;
        return this;
    }

    public AmpSource source() {
        return source;
    }

    public Map<String, TableRef> targets() {
        return targets;
    }

    /** Reads schemas from Amp and creates or evolves every target table. */
    public void prepareTargets() throws SetupException {
        Map<String, Schema> schemas;
        try {
            schemas = AmpSchemas.fetch(source);
        } catch (RuntimeException e) {
            throw new SetupException(
                    "Cannot read the schemas from the Amp server: " + e.getMessage(), e);
        }
        for (Map.Entry<String, List<String>> e : uniqueKeys.entrySet()) {
            checkKeyable(e.getKey(), schemas.get(e.getKey()), e.getValue());
        }
        try (Connection c = database.connect()) {
            for (AmpStreamSpec s : source.streams()) {
                TableOptions options = TableOptions.defaults();
                if (uniqueKeys.containsKey(s.id())) {
                    options = options.withUniqueKey(uniqueKeys.get(s.id()));
                }
                PostgresTables.ensureTable(c, targets.get(s.id()), schemas.get(s.id()), options);
                if (enrichment != null) {
                    enrichment.prepare(
                            c,
                            s.id(),
                            targets.get(s.id()),
                            schemas.get(s.id()),
                            uniqueKeys.get(s.id()));
                }
            }
        } catch (SQLException e) {
            throw new SetupException(
                    "Cannot prepare the target tables in PostgreSQL at "
                            + database.jdbcUrl
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** A table merged by key needs its key columns and scalar columns only (rows are unpacked). */
    private void checkKeyable(String stream, Schema schema, List<String> keys)
            throws SetupException {
        for (String key : keys) {
            if (schema.getFields().stream().noneMatch(f -> f.getName().equals(key))) {
                throw new SetupException(
                        "Stream " + stream + " has no column '" + key + "' for its unique key",
                        null);
            }
        }
        if (schema.getFields().stream().noneMatch(f -> f.getName().equals("_block_num"))) {
            throw new SetupException(
                    "Stream "
                            + stream
                            + " is merged by key but has no _block_num column to undo"
                            + " reorgs with; select _block_num in its query",
                    null);
        }
        for (org.apache.arrow.vector.types.pojo.Field f : schema.getFields()) {
            if (!ArrowRows.supported(f.getType())) {
                throw new SetupException(
                        "Stream "
                                + stream
                                + " is merged by key, which supports scalar columns only; column"
                                + " '"
                                + f.getName()
                                + "' is "
                                + f.getType()
                                + ". Select the scalar columns you need in a query instead.",
                        null);
            }
        }
    }

    /** Adds the pipeline to the job graph. */
    public void addTo(StreamExecutionEnvironment env, int parallelism) {
        PostgresSink sink = database.sink();
        AmpPipeline.build(
                env,
                name,
                source,
                targets,
                uniqueKeys,
                retentionBlocks,
                sink,
                parallelism,
                enrichment == null
                        ? rows -> rows
                        : rows -> enrichment.apply(rows, name, parallelism));
    }

    /** Setup failed: a server is unreachable, refuses us, or the target cannot take the schema. */
    public static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
