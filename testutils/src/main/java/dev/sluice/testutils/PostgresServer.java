package dev.sluice.testutils;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A running PostgreSQL server that tests may create throwaway databases on. */
public interface PostgresServer extends AutoCloseable {

    String host();

    int port();

    String user();

    String password();

    /** Whether {@link #restart()} and {@link #stop()} are supported (embedded servers only). */
    boolean restartable();

    /** Stops the server, keeping its data; {@link #start()} brings it back on the same port. */
    void stop();

    void start();

    default void restart() {
        stop();
        start();
    }

    /** JDBC URL of {@code database} on this server, credentials included as URL parameters. */
    default String jdbcUrl(String database) {
        StringBuilder url =
                new StringBuilder("jdbc:postgresql://")
                        .append(host())
                        .append(':')
                        .append(port())
                        .append('/')
                        .append(database)
                        .append("?user=")
                        .append(user());
        if (password() != null && !password().isEmpty()) {
            url.append("&password=").append(password());
        }
        return url.toString();
    }

    default Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user());
        if (password() != null) {
            props.setProperty("password", password());
        }
        return DriverManager.getConnection(
                "jdbc:postgresql://" + host() + ':' + port() + '/' + database, props);
    }

    /** Creates an empty database. */
    default void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + quoteIdentifier(name));
        }
    }

    /**
     * Drops a database if it exists, after rolling back the prepared transactions left in it
     * (sessions in it are ended by {@code WITH (FORCE)}); either would otherwise keep it alive.
     */
    default void dropDatabase(String name) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (Connection c = connect("postgres");
                PreparedStatement q =
                        c.prepareStatement(
                                "SELECT gid FROM pg_prepared_xacts WHERE database = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
        }
        if (!gids.isEmpty()) {
            // ROLLBACK PREPARED runs in the transaction's own database, and as a utility statement
            // takes no parameters: the gid goes in as an escaped literal.
            try (Connection c = connect(name);
                    Statement s = c.createStatement()) {
                for (String gid : gids) {
                    s.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
                }
            }
        }
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + quoteIdentifier(name) + " WITH (FORCE)");
        }
    }

    private static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    @Override
    void close();
}
