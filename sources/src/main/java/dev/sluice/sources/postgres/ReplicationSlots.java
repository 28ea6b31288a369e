package dev.sluice.sources.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * Health of a pipeline's replication slot. A slot pins WAL until its consumer confirms a position:
 * a stopped pipeline keeps the server's disk filling up, so the job watches the retained WAL and
 * warns past a threshold, and setup refuses a slot the server has invalidated.
 */
public final class ReplicationSlots {

    private ReplicationSlots() {}

    /**
     * Checks slot {@code name} before a start: fine if absent (the source creates it) or idle;
     * fails if it is a physical slot, belongs to another database or plugin, or lost its WAL.
     */
    public static void checkUsable(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT slot_type, plugin, database, wal_status FROM pg_replication_slots"
                                + " WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                String problem = null;
                if (!"logical".equals(rs.getString(1))) {
                    problem = "is a physical slot";
                } else if (!"pgoutput".equals(rs.getString(2))) {
                    problem = "uses the " + rs.getString(2) + " plugin, not pgoutput";
                } else if (!c.getCatalog().equals(rs.getString(3))) {
                    problem = "belongs to database " + rs.getString(3);
                } else if ("lost".equals(rs.getString(4))) {
                    problem =
                            "lost the WAL it needs (max_slot_wal_keep_size): drop it and start"
                                    + " again with a snapshot";
                }
                if (problem != null) {
                    throw new SQLException(
                            "Replication slot " + name + " " + problem + ".", "55000");
                }
            }
        }
    }

    /** Bytes of WAL the slot retains (current WAL position minus its restart LSN), if it exists. */
    public static OptionalLong retainedWalBytes(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM"
                                + " pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
                }
                return OptionalLong.empty();
            }
        }
    }

    /** Drops the slot if it exists and is inactive (cleanup of a removed pipeline and tests). */
    public static void dropIfInactive(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                + " WHERE slot_name = ? AND NOT active")) {
            ps.setString(1, name);
            ps.execute();
        }
    }
}
