package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Columns added to a target table while the job runs (prepared mode). {@code ALTER TABLE … ADD
 * COLUMN} needs an ACCESS EXCLUSIVE lock, which waits for every open or prepared transaction on the
 * table. Inside a writer's transaction that is a deadlock: the other subtasks' transactions are
 * only committed after a checkpoint that this blocked writer cannot take (and its own prepared
 * predecessor waits for a notification on its own task thread). So a writer that meets a new column
 * records the change in the sink-owned table {@code sluice_sink_schema_changes} and fails; every
 * restarted writer, after rolling back what it owns, applies the recorded changes before it writes
 * anything — the only moment no writer of the sink holds the table. Short lock timeouts with
 * retries step aside for committers still committing restored transactions.
 */
public final class SchemaChanges {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaChanges.class);

    private final TableRef table;

    public SchemaChanges(TableRef markerTable) {
        this.table = new TableRef(markerTable.schema(), "sluice_sink_schema_changes");
    }

    /** Whether {@code column} exists in {@code target}; reads the catalog, takes no table lock. */
    public static boolean columnExists(Connection c, TableRef target, String column)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname ="
                                + " ? AND attnum > 0 AND NOT attisdropped")) {
            ps.setString(1, target.quoted());
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Records the change (autocommit connection {@code c}); idempotent. */
    public void request(Connection c, String prefix, AddColumnRecord r) throws SQLException {
        ensure(c);
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO "
                                + table.quoted()
                                + " (prefix, table_schema, table_name, column_name, sql_type)"
                                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, prefix);
            ps.setString(2, r.table().schema());
            ps.setString(3, r.table().table());
            ps.setString(4, r.column());
            ps.setString(5, r.sqlType());
            ps.executeUpdate();
        }
        LOG.info(
                "Column {} {} is new in {}: recorded; it is added when the sink restarts",
                r.column(),
                r.sqlType(),
                r.table());
    }

    private void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            SqlStates.createIgnoringRace(
                    s,
                    "CREATE TABLE IF NOT EXISTS "
                            + table.quoted()
                            + " (prefix text NOT NULL, table_schema text NOT NULL, table_name text"
                            + " NOT NULL, column_name text NOT NULL, sql_type text NOT NULL,"
                            + " requested_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY"
                            + " (prefix, table_schema, table_name, column_name))");
        }
    }

    /**
     * Applies the changes recorded for {@code prefix} on {@code c} (autocommit on entry and exit),
     * each with its row deleted in the same transaction. Lock waits are cut after a second and
     * retried for up to {@code patienceMillis}.
     */
    public void applyPending(Connection c, String prefix, long patienceMillis)
            throws SQLException, InterruptedException {
        if (!tableExists(c)) {
            return;
        }
        List<String[]> pending = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT table_schema, table_name, column_name, sql_type FROM "
                                + table.quoted()
                                + " WHERE prefix = ? ORDER BY requested_at")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(
                            new String[] {
                                new TableRef(rs.getString(1), rs.getString(2)).quoted(),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(1)
                            });
                }
            }
        }
        long deadline = System.currentTimeMillis() + patienceMillis;
        for (String[] p : pending) {
            int attempts = 0;
            while (true) {
                attempts++;
                c.setAutoCommit(false);
                try (Statement s = c.createStatement();
                        PreparedStatement done =
                                c.prepareStatement(
                                        "DELETE FROM "
                                                + table.quoted()
                                                + " WHERE prefix = ? AND table_schema = ? AND"
                                                + " table_name = ? AND column_name = ?")) {
                    s.execute("SET LOCAL lock_timeout = '1s'");
                    s.execute(
                            "ALTER TABLE "
                                    + p[0]
                                    + " ADD COLUMN IF NOT EXISTS "
                                    + TableRef.quote(p[2])
                                    + ' '
                                    + checkedType(p[3]));
                    done.setString(1, prefix);
                    done.setString(2, p[4]);
                    done.setString(3, p[1]);
                    done.setString(4, p[2]);
                    done.executeUpdate();
                    c.commit();
                    LOG.info("Added column {} {} to {} (attempt {})", p[2], p[3], p[0], attempts);
                    break;
                } catch (SQLException e) {
                    c.rollback();
                    if (!SqlStates.state(e).equals("55P03")
                            || System.currentTimeMillis() > deadline) {
                        throw e;
                    }
                    LOG.debug("ADD COLUMN {} on {} waits for locks, retrying", p[2], p[0]);
                    Thread.sleep(200);
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
    }

    private boolean tableExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String checkedType(String sqlType) {
        if (!dev.sluice.sinks.postgres.ColumnDef.isSafeType(sqlType)) {
            throw new FlinkRuntimeException("Recorded column type '" + sqlType + "' is not plain");
        }
        return sqlType;
    }
}
