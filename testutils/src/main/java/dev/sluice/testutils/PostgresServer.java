package dev.sluice.testutils;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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

    /** Creates an empty database; names come from tests, never from users. */
    default void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + '"');
        }
    }

    /**
     * Drops a database after rolling back prepared transactions and ending sessions in it, which
     * would otherwise keep it alive.
     */
    default void dropDatabase(String name) throws SQLException {
        try (Connection c = connect(name);
                Statement s = c.createStatement();
                var rs =
                        s.executeQuery(
                                "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                        + " current_database()")) {
            java.util.List<String> gids = new java.util.ArrayList<>();
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
            for (String gid : gids) {
                try (Statement r = c.createStatement()) {
                    r.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
                }
            }
        }
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        }
    }

    @Override
    void close();
}
