package dev.sluice.job.manifest;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A manifest, planned against what the state directory already syncs: each table's stream (SQL as
 * sent to Amp, inferred schema, generation) and what changed — tables added, re-synced because
 * their SQL changed, or removed. {@link #apply} rebuilds the tables that start over and creates the
 * rest; {@link #jobPlan} is the Amp pipeline to run.
 */
public final class ManifestPlan {

    /** What happens to a table under this plan. */
    public enum Change {
        /** Same SQL as before: resumes where it was. */
        KEPT,
        /** New to this state directory (or back after removal): built from the first block. */
        ADDED,
        /** Its SQL changed: dropped and rebuilt from the first block. */
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

    public AmpJobPlan jobPlan() {
        return new AmpJobPlan(
                "amp",
                source,
                targets(),
                config.retentionBlocks,
                new AmpJobPlan.DatabaseTarget(
                        config.jdbcUrl,
                        config.user,
                        config.password,
                        config.commitMode,
                        config.maxDbConnections,
                        config.transactionalIdPrefix()));
    }

    /**
     * Prepares PostgreSQL: with {@code rebuild}, drops the target of every added or changed table
     * first (its stream starts from the first block, so old rows would be duplicates); then creates
     * every target from its inferred schema.
     */
    public void apply(boolean rebuild) throws ManifestException {
        if (rebuild && !rebuilt().isEmpty()) {
            Properties props = new Properties();
            if (config.user != null) {
                props.setProperty("user", config.user);
            }
            if (config.password != null) {
                props.setProperty("password", config.password);
            }
            try (Connection c = DriverManager.getConnection(config.jdbcUrl, props);
                    Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '30s'");
                for (String table : rebuilt()) {
                    s.execute(
                            "DROP TABLE IF EXISTS "
                                    + new TableRef(config.targetSchema, table).quoted());
                }
            } catch (SQLException e) {
                throw ManifestException.setup(
                        "Cannot drop the tables to rebuild "
                                + rebuilt()
                                + " in PostgreSQL at "
                                + config.jdbcUrl
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        try {
            jobPlan().prepareTargets();
        } catch (AmpJobPlan.SetupException e) {
            throw ManifestException.setup(e.getMessage(), e);
        }
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
