package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The sink-owned table of marker rows {@code (gid, checkpoint_id, subtask, rows, prepared_at)}. A
 * marker is written in the same transaction as the data, so its presence proves the data committed:
 * that is how the committer tells "already committed" from "lost".
 */
public final class MarkerTable {

    private final TableRef table;

    public MarkerTable(TableRef table) {
        this.table = table;
    }

    public TableRef table() {
        return table;
    }

    /** Creates the table if missing; tolerates concurrent creation by other subtasks. */
    public void ensure(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            if (!table.schema().equals("public")) {
                SqlStates.createIgnoringRace(
                        s, "CREATE SCHEMA IF NOT EXISTS " + TableRef.quote(table.schema()));
            }
            SqlStates.createIgnoringRace(
                    s,
                    "CREATE TABLE IF NOT EXISTS "
                            + table.quoted()
                            + " (gid text PRIMARY KEY, checkpoint_id bigint NOT NULL,"
                            + " subtask integer NOT NULL, rows bigint NOT NULL,"
                            + " prepared_at timestamptz NOT NULL DEFAULT now())");
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Writes the marker in the current transaction. Returns false if a marker of this gid exists
     * (only possible in wal mode replays, where the insert is {@code DO NOTHING}).
     */
    public boolean insert(
            Connection c, String gid, long checkpointId, int subtask, long rows, boolean overwrite)
            throws SQLException {
        String sql =
                "INSERT INTO "
                        + table.quoted()
                        + " (gid, checkpoint_id, subtask, rows, prepared_at)"
                        + " VALUES (?, ?, ?, ?, now()) ON CONFLICT (gid) DO "
                        + (overwrite
                                ? "UPDATE SET checkpoint_id = EXCLUDED.checkpoint_id,"
                                        + " subtask = EXCLUDED.subtask, rows = EXCLUDED.rows,"
                                        + " prepared_at = EXCLUDED.prepared_at"
                                : "NOTHING");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, gid);
            ps.setLong(2, checkpointId);
            ps.setInt(3, subtask);
            ps.setLong(4, rows);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes markers older than {@code retention}; returns how many. */
    public int prune(Connection c, java.time.Duration retention) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "DELETE FROM "
                                + table.quoted()
                                + " WHERE prepared_at < now() - make_interval(secs => ?)")) {
            ps.setLong(1, retention.getSeconds());
            return ps.executeUpdate();
        }
    }

    /** Those of {@code gids} whose marker row is visible (committed) to {@code c}. */
    public java.util.List<String> existing(Connection c, java.util.List<String> gids)
            throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT gid FROM " + table.quoted() + " WHERE gid = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", gids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public boolean exists(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT 1 FROM " + table.quoted() + " WHERE gid = ?")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
