package dev.sluice.job.manifest;

import dev.sluice.job.amp.AmpPipeline;
import dev.sluice.job.amp.ReorgOperator;
import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.TableOptions;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpSourceBuilder;
import dev.sluice.sources.amp.AmpStreamSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A manifest, planned against what the state directory already syncs: each table's stream (SQL as
 * sent to Amp, inferred schema, generation) and what changed — tables added, re-synced because
 * their SQL changed, or removed. {@link #addTo} adds the sync to a job.
 */
public final class ManifestPlan {

    /** What happens to a table under this plan. */
    public enum Change {
        /** Same SQL as before: resumes where it was. */
        KEPT,
        /** New to this state directory (or back after removal): built from the first block. */
        ADDED,
        /** Its SQL changed: re-synced from the first block into its replaced table. */
        CHANGED
    }

    /** One table of the plan. */
    public static final class TablePlan {
        final String table;
        final String sql;
        final int generation;
        final Schema schema;
        final Change change;

        TablePlan(String table, String sql, int generation, Schema schema, Change change) {
            this.table = table;
            this.sql = sql;
            this.generation = generation;
            this.schema = schema;
            this.change = change;
        }

        public String table() {
            return table;
        }

        public String sql() {
            return sql;
        }

        public String streamId() {
            return ManifestRegistry.streamId(table, generation);
        }

        public Schema schema() {
            return schema;
        }

        public Change change() {
            return change;
        }
    }

    private final DatasetManifest manifest;
    private final Map<String, TablePlan> tables;
    private final List<String> removed;
    private final ManifestRegistry registry;
    private final AmpSource source;
    private final ManifestSyncConfig config;

    ManifestPlan(
            DatasetManifest manifest,
            Map<String, TablePlan> tables,
            List<String> removed,
            ManifestRegistry registry,
            AmpSource source,
            ManifestSyncConfig config) {
        this.manifest = manifest;
        this.tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
        this.removed = List.copyOf(removed);
        this.registry = registry;
        this.source = source;
        this.config = config;
    }

    public DatasetManifest manifest() {
        return manifest;
    }

    public Map<String, TablePlan> tables() {
        return tables;
    }

    /** Tables the previous plan synced that this one does not (their target tables stay). */
    public List<String> removed() {
        return removed;
    }

    /** The registry to save once this plan is applied. */
    public ManifestRegistry registry() {
        return registry;
    }

    /**
     * Whether running this plan is the same job as running {@code previous}: the same streams (id
     * and SQL), in any order.
     */
    public boolean sameStreamsAs(ManifestPlan previous) {
        return previous != null
                && new java.util.HashSet<>(source.streams())
                        .equals(new java.util.HashSet<>(previous.source.streams()));
    }

    /** Tables that start over from the first block. */
    public List<String> rebuilt() {
        List<String> out = new ArrayList<>();
        for (TablePlan t : tables.values()) {
            if (t.change != Change.KEPT) {
                out.add(t.table);
            }
        }
        return out;
    }

    public Map<String, TableRef> targets() {
        Map<String, TableRef> targets = new LinkedHashMap<>();
        for (TablePlan t : tables.values()) {
            targets.put(t.streamId(), new TableRef(config.targetSchema, t.table));
        }
        return targets;
    }

    /** The streams of this plan: one per table, {@code <table>#<generation>}. */
    public List<AmpStreamSpec> streams() {
        return source.streams();
    }

    /**
     * Creates the target tables that do not exist yet, from the inferred schemas, so that a table
     * can be queried before its first row arrives. Existing tables are left alone: a stream that
     * starts from the first block replaces its table in the sink's transaction, in order with the
     * rows of any stream it replaces (see {@link ReorgOperator#forDiscoveredStreams}), which DDL
     * from here could not be.
     */
    public void createMissingTables() throws ManifestException {
        try (Connection c = config.database().connect()) {
            for (TablePlan t : tables.values()) {
                TableRef target = new TableRef(config.targetSchema, t.table);
                if (!PostgresTables.exists(c, target)) {
                    PostgresTables.ensureTable(c, target, t.schema, TableOptions.defaults());
                }
            }
        } catch (SQLException e) {
            throw ManifestException.setup(
                    "Cannot create the target tables in PostgreSQL at "
                            + config.jdbcUrl
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Adds the sync to {@code env}: the streams of this plan to start with, and the manifest at
     * {@code manifest} re-planned by the source's enumerator (on the JobManager) every poll
     * interval, so tables are added, re-synced and removed while the job runs.
     */
    public void addTo(StreamExecutionEnvironment env, Path manifest) {
        AmpSourceBuilder builder = ManifestPlanner.sourceBuilder(config);
        for (AmpStreamSpec s : source.streams()) {
            builder.addStream(s);
        }
        builder.setStreamDiscovery(
                new ManifestStreamDiscovery(manifest, config), config.pollInterval);
        AmpPipeline.buildDiscovered(
                env,
                "amp",
                builder.build(),
                config.targetSchema,
                config.retentionBlocks,
                config.database().sink(),
                config.parallelism);
    }

    /** One line per table for the console. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (TablePlan t : tables.values()) {
            b.append(String.format("  %-24s %-8s %s%n", t.table, t.change, t.sql));
        }
        for (String r : removed) {
            b.append(
                    String.format(
                            "  %-24s %-8s %s%n", r, "REMOVED", "(no longer synced; table kept)"));
        }
        return b.toString();
    }
}
