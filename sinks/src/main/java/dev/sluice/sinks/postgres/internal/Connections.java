package dev.sluice.sinks.postgres.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the sink's sessions: retried on transient errors, {@code lock_timeout} set. */
public final class Connections {

    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    private Connections() {}

    /**
     * The name a sink connection shows in {@code pg_stat_activity}: {@code sluice-sink-<purpose>}.
     */
    public static String applicationName(String purpose) {
        return "sluice-sink-" + purpose;
    }

    /** The purpose of subtask {@code subtask}'s writer connection. */
    public static String writerPurpose(int subtask) {
        return "writer-" + subtask;
    }

    /** One connection attempt, autocommit on, session settings applied. */
    public static Connection open(PostgresSinkConfig config, String purpose) throws SQLException {
        Properties props = new Properties();
        if (config.user != null) {
            props.setProperty("user", config.user);
        }
        if (config.password != null) {
            props.setProperty("password", config.password);
        }
        props.setProperty("ApplicationName", applicationName(purpose));
        props.setProperty("stringtype", "unspecified");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "30");
        Connection c = DriverManager.getConnection(config.url, props);
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = " + Math.max(1, config.lockTimeout.toMillis()));
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** {@link #open} with back-off on transient errors; other errors fail at once. */
    public static Connection openWithRetry(PostgresSinkConfig config, String purpose)
            throws InterruptedException {
        Backoff backoff = Backoff.of(config);
        while (true) {
            try {
                return open(config, purpose);
            } catch (SQLException e) {
                if (!SqlStates.isTransient(e)) {
                    throw new FlinkRuntimeException(
                            "Cannot connect the PostgreSQL sink ("
                                    + purpose
                                    + ") to "
                                    + JdbcUrls.scrub(config.url)
                                    + ": "
                                    + e.getMessage(),
                            e);
                }
                LOG.warn(
                        "Connecting ({}) to {} failed with SQLSTATE {} (attempt {}), retrying: {}",
                        purpose,
                        JdbcUrls.scrub(config.url),
                        SqlStates.state(e),
                        backoff.attempts() + 1,
                        e.getMessage());
                if (!backoff.retry()) {
                    throw new FlinkRuntimeException(
                            "Cannot connect the PostgreSQL sink ("
                                    + purpose
                                    + ") to "
                                    + JdbcUrls.scrub(config.url)
                                    + " after "
                                    + backoff.attempts()
                                    + " attempts",
                            e);
                }
            }
        }
    }

    /**
     * Drops the session at once without talking to the server (which then rolls back whatever
     * transaction is open; prepared transactions are unaffected). Never blocks, unlike close or
     * rollback on a connection whose COPY broke.
     */
    public static void abortQuietly(Connection c) {
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Aborting a connection failed", e);
            }
        }
    }

    public static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Closing a connection failed", e);
            }
        }
    }
}
