package dev.sluice.bench;

import dev.sluice.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Fresh databases on the benchmark's server: one per measurement, dropped afterwards. */
final class BenchDatabase {

    /** PostgreSQL's SQLSTATE for a table that does not exist (yet). */
    static final String UNDEFINED_TABLE = "42P01";

    private final PostgresServer server;

    BenchDatabase(PostgresServer server) {
        this.server = server;
    }

    String jdbcUrl(String db) {
        return server.jdbcUrl(db);
    }

    /** The URL form the sync CLI takes. */
    String cliUrl(String db) {
        return "postgresql://postgres@localhost:" + server.port() + "/" + db;
    }

    Connection connect(String db) throws SQLException {
        return server.connect(db);
    }

    /**
     * Creates {@code db} empty and then checkpoints the server, so that every measurement starts
     * from the same server state: no dirty buffers of the previous measurement left for this one's
     * writes to compete with, and the previous measurement's WAL segments recycled for this one
     * (see {@link #preallocateWal} for why that matters).
     */
    void create(String db) throws SQLException {
        server.dropDatabase(db);
        server.createDatabase(db);
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /**
     * Fills the server's pool of WAL segments before anything is measured: writes about as much WAL
     * as one measurement does into a scratch database, drops it and checkpoints, so that the
     * segments are recycled (kept, up to {@code max_wal_size}) instead of created. A fresh server
     * has one segment; the first measurement on it created ~40 new ones of 16 MB, each zero-filled
     * and fsynced by the writing backend on the measured path, which no later measurement did.
     */
    void preallocateWal(long bytes) throws SQLException {
        String db = "wal_warm_up";
        create(db);
        try (Connection c = connect(db);
                Statement s = c.createStatement()) {
            // ~1 KiB rows: the WAL volume is about the row bytes.
            s.execute(
                    "CREATE TABLE scratch AS SELECT g, repeat('x', 1000) AS pad"
                            + " FROM generate_series(1, "
                            + Math.max(1, bytes / 1024)
                            + ") g");
        }
        drop(db);
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /** Drops {@code db}, first rolling back what a killed job left prepared in it. */
    void drop(String db) throws SQLException {
        server.dropDatabase(db);
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
