package dev.sluice.sinks.postgres;

import dev.sluice.sinks.postgres.internal.CommitterHandoff;
import dev.sluice.sinks.postgres.internal.PostgresCommittable;
import dev.sluice.sinks.postgres.internal.PostgresCommittableSerializer;
import dev.sluice.sinks.postgres.internal.PostgresCommitter;
import dev.sluice.sinks.postgres.internal.PostgresSinkConfig;
import dev.sluice.sinks.postgres.internal.PostgresWriter;
import dev.sluice.sinks.postgres.internal.PostgresWriterState;
import dev.sluice.sinks.postgres.internal.PostgresWriterStateSerializer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.Collections;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Exactly-once PostgreSQL sink: rows go in with binary COPY and become visible when the Flink
 * checkpoint that covers them completes.
 *
 * <p>Prepared mode (two-phase commit): each writer subtask keeps one transaction open per
 * checkpoint interval. On the checkpoint barrier it writes a marker row and runs {@code PREPARE
 * TRANSACTION '<prefix>-<subtask>-<n>'}; when the checkpoint completes, the committer runs {@code
 * COMMIT PREPARED}. A commit replayed after a failure is recognized through the marker row. On
 * restore, each writer rolls back the prepared transactions it owns that are newer than the
 * restored checkpoint (ownership: old subtask j belongs to new subtask j % parallelism, so
 * rescaling keeps every transaction owned) before preparing anything; older ones are committed by
 * the committer from its restored state.
 *
 * <p>Wal mode (servers with {@code max_prepared_transactions = 0}): the checkpoint's records are
 * kept in Flink state and applied with the marker row in one transaction on completion.
 *
 * <p>The committer runs in its own task (see {@link CommitterHandoff}), so the writer starts the
 * next checkpoint's COPY while the previous checkpoint is being committed.
 *
 * <p>The transactional-id prefix must stay the same across restarts of the job and differ between
 * sinks on the same database. Each subtask uses one writer and one committer connection, bounded by
 * {@link PostgresSinkOptions#MAX_DB_CONNECTIONS}.
 */
public final class PostgresSink
        implements Sink<PostgresSinkRecord>,
                SupportsWriterState<PostgresSinkRecord, PostgresWriterState>,
                SupportsCommitter<PostgresCommittable>,
                SupportsPreCommitTopology<PostgresCommittable, PostgresCommittable> {

    private static final long serialVersionUID = 1L;

    private final PostgresSinkConfig config;

    PostgresSink(PostgresSinkConfig config) {
        this.config = config;
    }

    public static PostgresSinkBuilder builder() {
        return new PostgresSinkBuilder();
    }

    /** Connections the sink needs at {@code parallelism}: one writer and one committer each. */
    public static int connectionsNeeded(int parallelism) {
        return 2 * parallelism;
    }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation") // the only abstract factory method in Flink 1.20
    public PostgresWriter createWriter(Sink.InitContext context) throws IOException {
        return create(context, context.metricGroup(), Collections.emptyList());
    }

    @Override
    public PostgresWriter createWriter(WriterInitContext context) throws IOException {
        return create(context, context.metricGroup(), Collections.emptyList());
    }

    @Override
    public StatefulSinkWriter<PostgresSinkRecord, PostgresWriterState> restoreWriter(
            WriterInitContext context, Collection<PostgresWriterState> recoveredState)
            throws IOException {
        return create(context, context.metricGroup(), recoveredState);
    }

    private PostgresWriter create(
            org.apache.flink.api.connector.sink2.InitContext context,
            SinkWriterMetricGroup metrics,
            Collection<PostgresWriterState> states)
            throws IOException {
        TaskInfo task = context.getTaskInfo();
        int parallelism = task.getNumberOfParallelSubtasks();
        checkBudget(parallelism);
        try {
            return new PostgresWriter(
                    config,
                    task.getIndexOfThisSubtask(),
                    parallelism,
                    context.getRestoredCheckpointId()
                            .orElse(
                                    org.apache.flink.api.connector.sink2.InitContext
                                                    .INITIAL_CHECKPOINT_ID
                                            - 1),
                    states,
                    metrics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while starting the PostgreSQL writer");
        }
    }

    private void checkBudget(int parallelism) {
        int needed = connectionsNeeded(parallelism);
        if (needed > config.maxConnections) {
            throw new FlinkRuntimeException(
                    "The PostgreSQL sink needs "
                            + needed
                            + " database connections at parallelism "
                            + parallelism
                            + " (one writer and one committer per subtask), but "
                            + PostgresSinkOptions.MAX_DB_CONNECTIONS.key()
                            + " is "
                            + config.maxConnections
                            + ". Raise the budget to at least "
                            + needed
                            + " or lower the sink parallelism to "
                            + Math.max(1, config.maxConnections / 2)
                            + ".");
        }
    }

    @Override
    public SimpleVersionedSerializer<PostgresWriterState> getWriterStateSerializer() {
        return new PostgresWriterStateSerializer();
    }

    @Override
    public Committer<PostgresCommittable> createCommitter(CommitterInitContext context) {
        checkBudget(context.getTaskInfo().getNumberOfParallelSubtasks());
        return new PostgresCommitter(config, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<PostgresCommittable> getCommittableSerializer() {
        return new PostgresCommittableSerializer();
    }

    @Override
    public DataStream<CommittableMessage<PostgresCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<PostgresCommittable>> committables) {
        return CommitterHandoff.addTo(committables);
    }

    @Override
    public SimpleVersionedSerializer<PostgresCommittable> getWriteResultSerializer() {
        return new PostgresCommittableSerializer();
    }

    /** The validated settings (password hidden in {@code toString}). */
    public PostgresSinkConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "PostgresSink{" + config + '}';
    }
}
