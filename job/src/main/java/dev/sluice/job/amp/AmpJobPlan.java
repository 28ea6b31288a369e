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
    private final int retentionBlocks;
    private final DatabaseTarget database;

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

        Connection connect() throws SQLException {
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
        this.name = name;
        this.source = source;
        this.targets = Map.copyOf(targets);
        this.retentionBlocks = retentionBlocks;
        this.database = database;
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
        try (Connection c = database.connect()) {
            for (AmpStreamSpec s : source.streams()) {
                PostgresTables.ensureTable(
                        c, targets.get(s.id()), schemas.get(s.id()), TableOptions.defaults());
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

    /** Adds the pipeline to the job graph. */
    public void addTo(StreamExecutionEnvironment env, int parallelism) {
        PostgresSink sink =
                PostgresSink.builder()
                        .setJdbcUrl(database.jdbcUrl)
                        .setUser(database.user == null ? "" : database.user)
                        .setPassword(database.password == null ? "" : database.password)
                        .setCommitMode(database.commitMode)
                        .setMaxDbConnections(database.maxConnections)
                        .setTransactionalIdPrefix(database.transactionalIdPrefix)
                        .build();
        AmpPipeline.build(env, name, source, targets, retentionBlocks, sink, parallelism);
    }

    /** Setup failed: a server is unreachable, refuses us, or the target cannot take the schema. */
    public static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
