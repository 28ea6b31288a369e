package dev.sluice.sinks.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side facts about prepared transactions, and the recovery of a restored writer: roll back
 * the prepared transactions it owns that belong to checkpoints after the restored one; leave the
 * older ones to the committer, which has them in its restored state.
 */
public final class PreparedTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(PreparedTransactions.class);

    private PreparedTransactions() {}

    /** The server's {@code max_prepared_transactions} (0 = prepared transactions off). */
    public static int maxPreparedTransactions(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT current_setting('max_prepared_transactions')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Gids of this database's prepared transactions with {@code prefix}. */
    public static List<String> list(Connection c, String prefix) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
                                + " AND gid LIKE ? ORDER BY gid")) {
            ps.setString(1, Gids.likePattern(prefix));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (Gids.parse(prefix, rs.getString(1)) != null) {
                        gids.add(rs.getString(1));
                    }
                }
            }
        }
        return gids;
    }

    /**
     * Rolls back what subtask {@code subtask} of {@code parallelism} owns above {@code
     * restoredCheckpointId}: gids {@code <prefix>-<j>-<n>} with {@code j % parallelism == subtask}
     * and {@code n > restoredCheckpointId}. Owner-by-modulo covers every old subtask index after
     * scaling down or up. Returns the owned gids left to the committer.
     */
    public static List<String> recover(
            Connection c,
            Collection<String> prefixes,
            int subtask,
            int parallelism,
            long restoredCheckpointId)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        int rolledBack = 0;
        List<String> left = new ArrayList<>();
        try {
            for (String prefix : prefixes) {
                for (String gid : list(c, prefix)) {
                    long[] parsed = Gids.parse(prefix, gid);
                    if (parsed[0] % parallelism != subtask) {
                        continue;
                    }
                    if (parsed[1] > restoredCheckpointId) {
                        try (Statement s = c.createStatement()) {
                            s.execute("ROLLBACK PREPARED '" + gid + "'");
                            rolledBack++;
                            LOG.info(
                                    "Rolled back prepared transaction {} (after restored"
                                            + " checkpoint {})",
                                    gid,
                                    restoredCheckpointId);
                        } catch (SQLException e) {
                            if (!SqlStates.state(e).equals(SqlStates.UNDEFINED_OBJECT)) {
                                throw e;
                            }
                        }
                    } else {
                        left.add(gid);
                    }
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
        LOG.info(
                "Subtask {}/{} recovery at restored checkpoint {}: rolled back {} prepared"
                        + " transaction(s) of prefixes {}, left {} to the committer",
                subtask,
                parallelism,
                restoredCheckpointId,
                rolledBack,
                prefixes,
                left.size());
        return left;
    }

    /** Those of {@code gids} that are still prepared (not yet committed or rolled back). */
    public static List<String> stillPrepared(Connection c, List<String> gids) throws SQLException {
        List<String> open = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
                                + " AND gid = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", gids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    open.add(rs.getString(1));
                }
            }
        }
        return open;
    }
}
