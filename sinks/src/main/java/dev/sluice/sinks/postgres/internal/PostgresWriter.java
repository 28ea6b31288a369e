package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.ReplaceTableRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of one subtask. In prepared mode it holds one connection with an open transaction,
 * streams records into it (binary COPY), and at each checkpoint writes the marker row and runs
 * {@code PREPARE TRANSACTION '<prefix>-<subtask>-<n>'}, where n is the last snapshotted checkpoint
 * + 1 (so n never exceeds the checkpoint that actually prepared it). In wal mode it only buffers
 * the serialized records and hands them to the committer through Flink state.
 *
 * <p>A prepared transaction's rows are invisible to later transactions until it commits, so a
 * rollback ({@code DELETE}) or keyed row change in checkpoint n+1 could miss rows of checkpoint n,
 * and an upsert could wait on n's locks while n's commit waits for this very task. When such a
 * record arrives while an earlier checkpoint of this writer is not completely committed — a
 * transaction still prepared, or a buffered part whose marker is not yet there — it and every later
 * record of the checkpoint are therefore not written but buffered into the committable, which the
 * committer applies (write-ahead, with its own marker) right after committing the prepared part —
 * by then everything before it is committed and visible. Stream order is kept throughout. Checking
 * only for prepared transactions is not enough: a checkpoint whose first record was buffered has no
 * prepared part, and writing the next checkpoint's keyed rows directly would hold row locks that
 * the committer (in its own task, or after a restore before this writer rolls its transactions
 * back) needs to apply that buffered part — a deadlock that only {@code lock_timeout} ends, again
 * on every restart.
 *
 * <p>Any database error while writing breaks the transaction: the writer fails the task rather than
 * re-sending rows, and Flink replays from the last checkpoint. Recovery of a restored writer
 * completes in the constructor, before anything new is prepared.
 */
public final class PostgresWriter
        implements StatefulSinkWriter<PostgresSinkRecord, PostgresWriterState>,
                CommittingSinkWriter<PostgresSinkRecord, PostgresCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);

    /** How long a restarted writer tries to add recorded columns before it gives up. */
    private static final long SCHEMA_CHANGE_PATIENCE_MILLIS = 120_000;

    private final PostgresSinkConfig config;
    private final int subtask;
    private final int parallelism;
    private final CommitMode mode;
    private final MarkerTable markers;
    private final SchemaChanges schemaChanges;
    private final BufferAllocator allocator;

    private final Counter recordsSent;
    private final Counter bytesSent;
    private final Counter copyMillis;
    private volatile long lastPrepareMillis;
    private volatile long lastSendMillis;

    private Connection connection;
    private RecordApplier applier;
    private boolean txOpen;
    private Throwable broken;
    private long lastCheckpointId;

    /** Gids this writer prepared (or recovery left) whose commit it has not yet observed. */
    private final List<String> unconfirmed = new ArrayList<>();

    /** Markers of buffered parts this writer handed to the committer and has not yet seen. */
    private final List<String> unapplied = new ArrayList<>();

    /** This checkpoint's records go to the committable (see the class comment). */
    private boolean buffering;

    /**
     * Tables whose replacement went to the committer and may not be applied yet: their records wait
     * for committed predecessors too, or they would land in the table about to be dropped.
     */
    private final Set<TableRef> replacing = new HashSet<>();

    private final DataOutputSerializer walOut = new DataOutputSerializer(4096);
    private long walRecords;

    public PostgresWriter(
            PostgresSinkConfig config,
            int subtask,
            int parallelism,
            long restoredCheckpointId,
            Collection<PostgresWriterState> restoredStates,
            SinkWriterMetricGroup metrics)
            throws InterruptedException {
        this.config = config;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.lastCheckpointId = restoredCheckpointId;
        this.markers = new MarkerTable(config.markerTable());
        this.schemaChanges = new SchemaChanges(config.markerTable());
        this.recordsSent = metrics.getNumRecordsSendCounter();
        this.bytesSent = metrics.getNumBytesSendCounter();
        this.copyMillis = metrics.counter("copyTimeMs");
        metrics.gauge("lastPrepareLatencyMs", () -> lastPrepareMillis);
        metrics.setCurrentSendTimeGauge(() -> lastSendMillis);

        Set<String> prefixes = new LinkedHashSet<>();
        prefixes.add(config.prefix);
        for (PostgresWriterState s : restoredStates) {
            if (!s.prefix().equals(config.prefix)) {
                LOG.warn(
                        "Transactional-id prefix changed from {} to {}; recovering both",
                        s.prefix(),
                        config.prefix);
            }
            prefixes.add(s.prefix());
        }
        this.allocator = new RootAllocator();
        try {
            this.mode = start(prefixes, restoredCheckpointId);
        } catch (InterruptedException | RuntimeException e) {
            allocator.close();
            throw e;
        }
        LOG.info(
                "PostgreSQL sink writer {}/{} started in {} mode, restored checkpoint {}",
                subtask,
                parallelism,
                mode,
                restoredCheckpointId);
    }

    /** Resolves the mode, ensures the marker table and recovers, retrying transient errors. */
    private CommitMode start(Set<String> prefixes, long restoredCheckpointId)
            throws InterruptedException {
        Backoff backoff = Backoff.of(config);
        while (true) {
            Connection c = Connections.openWithRetry(config, Connections.writerPurpose(subtask));
            try {
                int maxPrepared = PreparedTransactions.maxPreparedTransactions(c);
                CommitMode m = resolve(config.commitMode, maxPrepared);
                markers.ensure(c);
                if (maxPrepared > 0) {
                    unconfirmed.clear();
                    unconfirmed.addAll(
                            PreparedTransactions.recover(
                                    c, prefixes, subtask, parallelism, restoredCheckpointId));
                }
                // Nothing of this sink holds the tables now: columns recorded as new go in.
                schemaChanges.applyPending(c, config.prefix, SCHEMA_CHANGE_PATIENCE_MILLIS);
                if (m == CommitMode.PREPARED) {
                    c.setAutoCommit(false);
                    connection = c;
                    applier = new RecordApplier(c, allocator, config.copyChunkSize);
                } else {
                    Connections.closeQuietly(c);
                }
                return m;
            } catch (SQLException e) {
                Connections.closeQuietly(c);
                if (!SqlStates.isTransient(e) || !backoff.retry()) {
                    throw new FlinkRuntimeException(
                            "PostgreSQL sink writer "
                                    + subtask
                                    + " cannot start: "
                                    + e.getMessage(),
                            e);
                }
                LOG.warn(
                        "Writer {} start failed transiently, retrying: {}",
                        subtask,
                        e.getMessage());
            } catch (RuntimeException | InterruptedException e) {
                Connections.closeQuietly(c);
                throw e;
            }
        }
    }

    static CommitMode resolve(CommitMode requested, int maxPrepared) {
        if (requested == CommitMode.WAL) {
            return CommitMode.WAL;
        }
        if (maxPrepared > 0) {
            return CommitMode.PREPARED;
        }
        if (requested == CommitMode.PREPARED) {
            throw new FlinkRuntimeException(
                    "sink.postgres.commit-mode=prepared needs prepared transactions, but the"
                            + " server has max_prepared_transactions = 0. Set"
                            + " max_prepared_transactions to at least 2 × the sink parallelism in"
                            + " postgresql.conf (restart required), or set"
                            + " sink.postgres.commit-mode=wal (or auto).");
        }
        LOG.info("Server has max_prepared_transactions = 0: using the wal commit mode");
        return CommitMode.WAL;
    }

    public CommitMode mode() {
        return mode;
    }

    @Override
    public void write(PostgresSinkRecord record, Context context) throws IOException {
        checkNotBroken();
        if (mode == CommitMode.PREPARED && record instanceof AddColumnRecord) {
            addColumn((AddColumnRecord) record);
            return;
        }
        if (mode == CommitMode.WAL || buffering) {
            buffer(record);
            return;
        }
        long rowsBefore = applier.rows();
        long bytesBefore = applier.bytes();
        long copyBefore = applier.copyNanos();
        long start = System.nanoTime();
        try {
            if ((!unconfirmed.isEmpty() || !unapplied.isEmpty())
                    && (needsCommittedPredecessors(record) || replacing.contains(record.table()))) {
                applier.finish();
                refreshPredecessors();
                if (!unconfirmed.isEmpty() || !unapplied.isEmpty()) {
                    LOG.debug(
                            "Writer {}: {} still prepared, {} not yet applied, buffering the rest"
                                    + " of the checkpoint from {}",
                            subtask,
                            unconfirmed,
                            unapplied,
                            record);
                    buffering = true;
                    buffer(record);
                    return;
                }
            }
            txOpen = true;
            applier.apply(record);
        } catch (SQLException | IOException | RuntimeException e) {
            throw fail("writing " + record, e);
        }
        lastSendMillis = (System.nanoTime() - start) / 1_000_000;
        recordsSent.inc(applier.rows() - rowsBefore);
        bytesSent.inc(applier.bytes() - bytesBefore);
        copyMillis.inc((applier.copyNanos() - copyBefore) / 1_000_000);
    }

    /**
     * A column the target may not have yet. If it exists (added by a restart, or for another
     * subtask) the record is done. Otherwise ADD COLUMN cannot run in this transaction without a
     * deadlock (see {@link SchemaChanges}): the change is recorded and the writer fails, so the
     * restarted writers add the column before anything is written.
     */
    private void addColumn(AddColumnRecord r) throws IOException {
        boolean exists;
        try {
            applier.finish();
            exists = SchemaChanges.columnExists(connection, r.table(), r.column());
        } catch (SQLException e) {
            throw fail("checking column " + r.column() + " of " + r.table(), e);
        }
        if (exists) {
            return;
        }
        try (Connection c =
                Connections.openWithRetry(config, Connections.writerPurpose(subtask) + "-ddl")) {
            schemaChanges.request(c, config.prefix, r);
        } catch (SQLException e) {
            throw fail("recording new column " + r.column() + " of " + r.table(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted recording " + r);
        }
        throw fail(
                "adding column " + r.column() + " " + r.sqlType() + " to " + r.table(),
                new FlinkRuntimeException(
                        "ALTER TABLE ADD COLUMN needs the table free of this sink's open and"
                                + " prepared transactions, which only a restart gives: the column"
                                + " was recorded and is added by the restarted writers"));
    }

    /** Forgets the predecessors that are committed by now. */
    private void refreshPredecessors() throws SQLException {
        if (!unconfirmed.isEmpty()) {
            unconfirmed.retainAll(PreparedTransactions.stillPrepared(connection, unconfirmed));
        }
        if (!unapplied.isEmpty()) {
            unapplied.removeAll(markers.existing(connection, unapplied));
        }
        if (unconfirmed.isEmpty() && unapplied.isEmpty()) {
            replacing.clear(); // every buffered replacement is applied by now
        }
    }

    private void buffer(PostgresSinkRecord record) throws IOException {
        if (record instanceof ReplaceTableRecord && mode == CommitMode.PREPARED) {
            // The committer replaces it: the columns cached here are the old table's.
            replacing.add(record.table());
            applier.forget(record.table());
        }
        PostgresSinkRecordSerializer.INSTANCE.serialize(record, walOut);
        walRecords++;
    }

    private static boolean needsCommittedPredecessors(PostgresSinkRecord record) {
        return record instanceof RollbackRecord
                || record instanceof ReplaceTableRecord
                || (record instanceof RowChangeRecord
                        && ((RowChangeRecord) record).op() != RowChangeRecord.Op.INSERT);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        checkNotBroken();
        if (applier != null && txOpen) {
            try {
                long bytesBefore = applier.bytes();
                applier.finish();
                bytesSent.inc(applier.bytes() - bytesBefore);
            } catch (SQLException e) {
                throw fail("flushing", e);
            }
        }
    }

    @Override
    public Collection<PostgresCommittable> prepareCommit() throws IOException {
        checkNotBroken();
        long checkpointId = lastCheckpointId + 1;
        String gid = Gids.gid(config.prefix, subtask, checkpointId);
        byte[] payload = walRecords == 0 ? null : walOut.getCopyOfBuffer();
        long buffered = walRecords;
        walOut.clear();
        walRecords = 0;
        buffering = false;
        if (!txOpen) {
            if (payload == null) {
                return Collections.emptyList();
            }
            LOG.debug("Writer {} hands {} records to the committer as {}", subtask, buffered, gid);
            PostgresCommittable wal =
                    PostgresCommittable.wal(gid, checkpointId, subtask, buffered, payload);
            if (mode == CommitMode.PREPARED) {
                unapplied.add(wal.walMarker());
            }
            return List.of(wal);
        }
        long start = System.nanoTime();
        try {
            applier.finish();
            long rows = applier.rows();
            markers.insert(connection, gid, checkpointId, subtask, rows, true);
            try (Statement s = connection.createStatement()) {
                s.execute("PREPARE TRANSACTION '" + gid + "'");
            }
            txOpen = false;
            applier.resetCounters();
            PostgresCommittable committable =
                    new PostgresCommittable(
                            gid, checkpointId, subtask, rows + buffered, true, payload);
            unconfirmed.add(gid);
            if (payload != null) {
                unapplied.add(committable.walMarker());
            }
            if (unconfirmed.size() + unapplied.size() > 8) {
                refreshPredecessors();
            }
            lastPrepareMillis = (System.nanoTime() - start) / 1_000_000;
            LOG.debug(
                    "Prepared {} with {} rows in {} ms ({} records buffered)",
                    gid,
                    rows,
                    lastPrepareMillis,
                    buffered);
            return List.of(committable);
        } catch (SQLException e) {
            throw fail("preparing " + gid, e);
        }
    }

    @Override
    public List<PostgresWriterState> snapshotState(long checkpointId) {
        lastCheckpointId = checkpointId;
        return List.of(new PostgresWriterState(config.prefix, subtask, parallelism, checkpointId));
    }

    private void checkNotBroken() throws IOException {
        if (broken != null) {
            throw new IOException("The writer's transaction already failed", broken);
        }
    }

    private IOException fail(String what, Exception e) {
        broken = e;
        // The transaction is lost either way; dropping the session never blocks on a broken COPY.
        Connections.abortQuietly(connection);
        if (applier != null) {
            applier.abandon();
        }
        String state = e instanceof SQLException ? SqlStates.state((SQLException) e) : "";
        String hint =
                state.equals("53400")
                        ? " (the server may have run out of prepared transaction slots:"
                                + " raise max_prepared_transactions)"
                        : "";
        return new IOException(
                "PostgreSQL sink writer "
                        + subtask
                        + " failed "
                        + what
                        + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")")
                        + hint
                        + ": "
                        + e.getMessage()
                        + ". The open transaction is abandoned; the job restarts from the last"
                        + " checkpoint.",
                e);
    }

    @Override
    public void close() throws Exception {
        if (connection != null) {
            if (txOpen || broken != null) {
                // The server rolls back the open transaction when the session ends.
                Connections.abortQuietly(connection);
            }
            if (applier != null) {
                applier.close();
            }
            Connections.closeQuietly(connection);
            connection = null;
        }
        allocator.close();
    }
}
