package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sinks.postgres.internal.PostgresCommittable;
import dev.sluice.sinks.postgres.internal.PostgresCommitter;
import dev.sluice.sinks.postgres.internal.PostgresWriter;
import dev.sluice.testutils.PostgresExtension;
import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The committer runs in its own task, so {@code COMMIT PREPARED} of checkpoint n overlaps the
 * writer's COPY of checkpoint n+1. A crash in that window — before, during or after the
 * asynchronous commit — must neither lose nor duplicate a row.
 */
@Timeout(120)
class ConcurrentCommitITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableRef BLOCKS = TableRef.of("blocks");

    private PostgresSink sink() {
        return PostgresSink.builder()
                .setJdbcUrl(PG.jdbcUrl())
                .setTransactionalIdPrefix("cc")
                .build();
    }

    private PostgresWriter writer(long restored) throws Exception {
        return new PostgresWriter(
                sink().config(),
                0,
                1,
                restored,
                List.of(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
    }

    private PostgresCommitter committer() {
        return new PostgresCommitter(sink().config(), new UnregisteredMetricsGroup());
    }

    private void createTable() throws Exception {
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(
                    c, BLOCKS, ArrowBatches.blocksSchema(), TableOptions.defaults());
        }
    }

    private static void write(PostgresWriter w, long from, long to) throws Exception {
        for (long b = from; b < to; b += 1000) {
            w.write(
                    new ArrowBatchRecord(
                            BLOCKS, null, ArrowBatches.blocks(b, Math.min(to, b + 1000))),
                    null);
        }
    }

    private static PostgresCommittable only(Collection<PostgresCommittable> committables) {
        assertThat(committables).hasSize(1);
        return committables.iterator().next();
    }

    /** Blocks {@code [0, n)} exactly once each, and nothing left prepared. */
    private static void assertExactly(long n) throws Exception {
        try (Connection c = PG.connect()) {
            assertThat(Pg.count(c, "SELECT count(*) FROM blocks")).as("rows").isEqualTo(n);
            assertThat(Pg.count(c, "SELECT count(DISTINCT _block_num) FROM blocks"))
                    .as("distinct blocks")
                    .isEqualTo(n);
            assertThat(Pg.count(c, "SELECT max(_block_num) FROM blocks")).isEqualTo(n - 1);
            assertThat(Pg.preparedGids(c)).as("prepared transactions left").isEmpty();
        }
    }

    @Test
    void theCommitterIsNotChainedToTheWriter() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(1000);
        env.setParallelism(2);
        BlocksPipeline.build(env, sink(), 10, 0);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        JobVertex writer = null;
        JobVertex committer = null;
        for (JobVertex v : graph.getVertices()) {
            if (v.getName().contains("Writer")) {
                writer = v;
            }
            if (v.getName().contains("Committer")) {
                committer = v;
            }
        }
        assertThat(writer).as("writer vertex").isNotNull();
        assertThat(committer).as("committer vertex").isNotNull().isNotSameAs(writer);
        assertThat(committer.getParallelism()).isEqualTo(writer.getParallelism());
    }

    @Test
    void crashAfterTheAsynchronousCommitWhileTheNextCheckpointIsWritten() throws Exception {
        createTable();
        try (PostgresCommitter committer = committer()) {
            PostgresCommittable first;
            try (PostgresWriter w = writer(0)) {
                write(w, 0, 5000);
                first = only(w.prepareCommit()); // cc-0-1
                w.snapshotState(1);
                // Checkpoint 1 completes: the committer commits it on its own connection while
                // the writer already streams checkpoint 2's rows.
                FakeCommitRequest<PostgresCommittable> request = new FakeCommitRequest<>(first);
                CompletableFuture<Void> commit =
                        CompletableFuture.runAsync(() -> commitUnchecked(committer, request));
                write(w, 5000, 20000);
                w.flush(false);
                commit.get(60, TimeUnit.SECONDS);
                assertThat(request.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
                // Crash before checkpoint 2: its open transaction dies with the session.
            }
            // Restore from checkpoint 1; Flink replays checkpoint 1's committable.
            try (PostgresWriter w = writer(1);
                    PostgresCommitter restored = committer()) {
                FakeCommitRequest<PostgresCommittable> replay = new FakeCommitRequest<>(first, 1);
                restored.commit(List.of(replay));
                assertThat(replay.outcome).isEqualTo(FakeCommitRequest.Outcome.ALREADY_COMMITTED);
                write(w, 5000, 20000);
                restored.commit(List.of(new FakeCommitRequest<>(only(w.prepareCommit()))));
            }
        }
        assertExactly(20000);
    }

    @Test
    void crashAfterTheNextPrepareBeforeTheAsynchronousCommitRan() throws Exception {
        createTable();
        PostgresCommittable first;
        try (PostgresWriter w = writer(0)) {
            write(w, 0, 5000);
            first = only(w.prepareCommit()); // cc-0-1, checkpoint 1 completes
            w.snapshotState(1);
            write(w, 5000, 12000);
            only(w.prepareCommit()); // cc-0-2, checkpoint 2 never completes
            w.snapshotState(2);
            write(w, 12000, 13000);
            // Crash before the committer got to checkpoint 1.
        }
        try (Connection c = PG.connect()) {
            assertThat(Pg.preparedGids(c)).containsExactly("cc-0-1", "cc-0-2");
        }
        // Restore from checkpoint 1: the writer rolls back cc-0-2 before anything else, the
        // restored committer commits cc-0-1, and checkpoint 2's rows come again.
        try (PostgresWriter w = writer(1);
                PostgresCommitter committer = committer()) {
            try (Connection c = PG.connect()) {
                assertThat(Pg.preparedGids(c)).containsExactly("cc-0-1");
            }
            FakeCommitRequest<PostgresCommittable> replay = new FakeCommitRequest<>(first, 1);
            write(w, 5000, 13000);
            committer.commit(List.of(replay));
            assertThat(replay.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
            committer.commit(List.of(new FakeCommitRequest<>(only(w.prepareCommit()))));
        }
        assertExactly(13000);
    }

    private static void commitUnchecked(
            PostgresCommitter committer, FakeCommitRequest<PostgresCommittable> request) {
        try {
            committer.commit(List.of(request));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
