package dev.sluice.job.testutils;

import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.devserver.ChainDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** Compares synced PostgreSQL tables with the dev server's canonical chain. */
public final class TargetChecks {

    private TargetChecks() {}

    /** {@code rows:md5} of a synced table, computed by PostgreSQL. */
    public static String targetDigest(Connection c, String table, String quotedTarget)
            throws SQLException {
        return rowsAndMd5(ChainDigest.ofTarget(c, table, quotedTarget));
    }

    /** {@code rows:md5} of the dev server's canonical chain. */
    public static String chainDigest(AmpDevServer server, String table) {
        return rowsAndMd5(server.digest(table));
    }

    private static String rowsAndMd5(ChainDigest.Result r) {
        return r.rows() + ":" + r.md5();
    }

    /**
     * Waits (bounded) until the target equals the canonical chain exactly; fails with both digests
     * otherwise.
     */
    public static void awaitExactlyCanonical(
            AmpDevServer server, Connection c, String table, String quotedTarget, long seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String target = null;
        String chain = null;
        while (System.nanoTime() < deadline) {
            chain = chainDigest(server, table);
            try {
                target = targetDigest(c, table, quotedTarget);
            } catch (SQLException e) {
                target = e.getMessage(); // table not created yet
            }
            if (chain.equals(target)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "Table "
                        + quotedTarget
                        + " is not the canonical chain: target "
                        + target
                        + ", chain "
                        + chain);
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
