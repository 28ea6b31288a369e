package dev.sluice.bench;

import dev.sluice.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Fresh databases on the benchmark's server: one per measurement, dropped afterwards. */
final class BenchDatabase {

    private final PostgresServer server;

    BenchDatabase(PostgresServer server) {
        this.server = server;
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://localhost:" + server.port() + "/" + db + "?user=postgres";
    }

    /** The URL form the sync CLI takes. */
    String cliUrl(String db) {
        return "postgresql://postgres@localhost:" + server.port() + "/" + db;
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db));
    }

    void create(String db) throws SQLException {
        drop(db);
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
    }

    /** Drops {@code db}, first rolling back what a killed job left prepared in it. */
    void drop(String db) throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            List<String> gids = new ArrayList<>();
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT gid FROM pg_prepared_xacts WHERE database = '" + db + "'")) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
            if (!gids.isEmpty()) {
                try (Connection in = connect(db);
                        Statement t = in.createStatement()) {
                    for (String gid : gids) {
                        t.execute("ROLLBACK PREPARED '" + gid + "'");
                    }
                }
            }
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
