package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.PostgresSinkRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits checkpoints on its own connection. Prepared mode: {@code COMMIT PREPARED}; "does not
 * exist" (42704) with the marker row present means already committed (a replay), without it the
 * data is lost and the job fails loudly. Wal mode: the records and the marker go in one
 * transaction; an existing marker means already applied. Busy and connection errors back off and
 * retry inside {@link #commit}; anything else fails with a message saying what to change.
 */
public final class PostgresCommitter implements Committer<PostgresCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitter.class);

    private final PostgresSinkConfig config;
    private final MarkerTable markers;
    private BufferAllocator allocator;
    private Connection connection;
    private boolean markersEnsured;

    private static final int PRUNE_EVERY = 100;

    /**
     * Each round trip here delays the next commit (and so the visibility of the next checkpoint):
     * the open-prepared gauge is refreshed every few commits, not on each one.
     */
    private static final int COUNT_PREPARED_EVERY = 10;

    private int commitsSincePrune = PRUNE_EVERY - 1;
    private int commitsSinceCount = COUNT_PREPARED_EVERY - 1;
    private volatile long lastCommitMillis;
    private volatile long openPrepared;

    public PostgresCommitter(PostgresSinkConfig config, MetricGroup metrics) {
        this.config = config;
        this.markers = new MarkerTable(config.markerTable());
        metrics.gauge("lastCommitLatencyMs", () -> lastCommitMillis);
        metrics.gauge("openPreparedTransactions", () -> openPrepared);
    }

    @Override
    public void commit(Collection<CommitRequest<PostgresCommittable>> requests)
            throws IOException, InterruptedException {
        for (CommitRequest<PostgresCommittable> request : requests) {
            commitWithRetry(request);
        }
        if (!requests.isEmpty() && connection != null) {
            try {
                if (++commitsSinceCount >= COUNT_PREPARED_EVERY) {
                    commitsSinceCount = 0;
                    openPrepared = PreparedTransactions.list(connection, config.prefix).size();
                }
                if (++commitsSincePrune >= PRUNE_EVERY) {
                    commitsSincePrune = 0;
                    int pruned = markers.prune(connection, config.markerRetention);
                    LOG.debug(
                            "Pruned {} marker rows older than {}", pruned, config.markerRetention);
                }
            } catch (SQLException e) {
                LOG.debug("Counting open prepared transactions or pruning markers failed", e);
            }
        }
    }

    private void commitWithRetry(CommitRequest<PostgresCommittable> request)
            throws IOException, InterruptedException {
        PostgresCommittable c = request.getCommittable();
        Backoff backoff = Backoff.of(config);
        boolean preparedDone = false;
        while (true) {
            long start = System.nanoTime();
            try {
                Connection conn = connection();
                boolean done = false;
                if (c.hasPreparedPart() && !preparedDone) {
                    done = commitPrepared(conn, c);
                    preparedDone = true;
                }
                if (c.isWal()) {
                    done |= applyWal(conn, c);
                }
                if (done) {
                    lastCommitMillis = (System.nanoTime() - start) / 1_000_000;
                    LOG.debug(
                            "Committed {} ({} rows) in {} ms", c.gid(), c.rows(), lastCommitMillis);
                } else {
                    request.signalAlreadyCommitted();
                }
                return;
            } catch (SQLException e) {
                String state = SqlStates.state(e);
                boolean busy =
                        !preparedDone
                                && c.hasPreparedPart()
                                && state.equals(SqlStates.OBJECT_NOT_IN_PREREQUISITE_STATE);
                if (!busy && !SqlStates.isTransient(e)) {
                    throw misconfiguration(c, e);
                }
                closeConnection();
                LOG.warn(
                        "Committing {} failed with SQLSTATE {} (attempt {}), retrying: {}",
                        c.gid(),
                        state,
                        backoff.attempts() + 1,
                        e.getMessage());
                if (!backoff.retry()) {
                    throw new IOException(
                            "Committing "
                                    + c.gid()
                                    + " failed "
                                    + backoff.attempts()
                                    + " times (last SQLSTATE "
                                    + state
                                    + "); the job restarts and retries the commit",
                            e);
                }
            }
        }
    }

    /** Returns true if committed now, false if it had been committed before. */
    private boolean commitPrepared(Connection conn, PostgresCommittable c) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("COMMIT PREPARED '" + c.gid() + "'");
            return true;
        } catch (SQLException e) {
            if (!SqlStates.state(e).equals(SqlStates.UNDEFINED_OBJECT)) {
                throw e;
            }
        }
        if (markers.exists(conn, c.gid())) {
            LOG.info("{} was already committed (marker present): replay ignored", c.gid());
            return false;
        }
        LOG.error(
                "DATA LOSS: prepared transaction {} (checkpoint {}, subtask {}, {} rows) no longer"
                        + " exists and its marker row is missing",
                c.gid(),
                c.checkpointId(),
                c.subtask(),
                c.rows());
        throw new FlinkRuntimeException(
                "Prepared transaction "
                        + c.gid()
                        + " (checkpoint "
                        + c.checkpointId()
                        + ", subtask "
                        + c.subtask()
                        + ", "
                        + c.rows()
                        + " rows) is gone and was never committed: its marker row is not in "
                        + markers.table()
                        + ". Someone rolled it back outside Flink (ROLLBACK PREPARED, a database"
                        + " restore, another sink using the same transactional-id prefix?)."
                        + " Those rows are lost; restore the job from an earlier savepoint or"
                        + " re-sync the table.");
    }

    /** Applies a wal committable's records with its marker in one transaction. */
    private boolean applyWal(Connection conn, PostgresCommittable c)
            throws SQLException, IOException {
        conn.setAutoCommit(false);
        try {
            if (!markers.insert(
                    conn, c.walMarker(), c.checkpointId(), c.subtask(), c.rows(), false)) {
                conn.rollback();
                LOG.info("{} was already applied (marker present): replay ignored", c.walMarker());
                return false;
            }
            if (allocator == null) {
                allocator = new RootAllocator();
            }
            try (RecordApplier applier = new RecordApplier(conn, allocator, config.copyChunkSize)) {
                DataInputDeserializer in = new DataInputDeserializer(c.walPayload());
                while (in.available() > 0) {
                    PostgresSinkRecord record =
                            PostgresSinkRecordSerializer.INSTANCE.deserialize(in);
                    applier.apply(record);
                }
                applier.finish();
            }
            conn.commit();
            return true;
        } catch (SQLException | IOException | RuntimeException e) {
            // Dropping the session rolls back and never blocks on a broken COPY.
            Connections.abortQuietly(conn);
            connection = null;
            throw e;
        } finally {
            try {
                if (!conn.isClosed()) {
                    conn.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // Same.
            }
        }
    }

    private IOException misconfiguration(PostgresCommittable c, SQLException e) {
        String state = SqlStates.state(e);
        String advice;
        switch (state) {
            case SqlStates.INSUFFICIENT_PRIVILEGE:
                advice =
                        "COMMIT PREPARED must run as the user that prepared the transaction or a"
                                + " superuser: give writers and committers the same"
                                + " sink.postgres.user";
                break;
            case SqlStates.FEATURE_NOT_SUPPORTED:
                advice =
                        "the prepared transaction belongs to another database: the committer must"
                                + " connect to the writers' database (sink.postgres.url)";
                break;
            default:
                advice = "see the cause";
        }
        return new IOException(
                "Committing "
                        + c.gid()
                        + " failed (SQLSTATE "
                        + state
                        + "): "
                        + advice
                        + ": "
                        + e.getMessage(),
                e);
    }

    private Connection connection() throws SQLException, InterruptedException {
        if (connection == null || connection.isClosed()) {
            connection = Connections.openWithRetry(config, "committer");
            if (!markersEnsured) {
                markers.ensure(connection);
                markersEnsured = true;
            }
        }
        return connection;
    }

    private void closeConnection() {
        Connections.abortQuietly(connection);
        connection = null;
    }

    @Override
    public void close() {
        closeConnection();
        if (allocator != null) {
            allocator.close();
        }
    }
}
