package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.PostgresCommittable;
import dev.sluice.sinks.postgres.internal.PostgresCommitter;
import dev.sluice.sinks.postgres.internal.PostgresWriter;
import dev.sluice.sinks.postgres.internal.PostgresWriterState;
import dev.sluice.testutils.PostgresExtension;
import java.io.IOException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The writer alone against a real server: gid naming, empty checkpoints, close, recovery. */
@Timeout(120)
class PostgresWriterITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableRef BLOCKS = TableRef.of("blocks");

    private PostgresSink sink(CommitMode mode) {
        return PostgresSink.builder()
                .setJdbcUrl(PG.jdbcUrl())
                .setTransactionalIdPrefix("w")
                .setCommitMode(mode)
                .build();
    }

    private PostgresWriter writer(int subtask, int parallelism, long restored) throws Exception {
        return writer(subtask, parallelism, restored, List.of());
    }

    private PostgresWriter writer(
            int subtask, int parallelism, long restored, Collection<PostgresWriterState> states)
            throws Exception {
        return new PostgresWriter(
                sink(CommitMode.AUTO).config(),
                subtask,
                parallelism,
                restored,
                states,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
    }

    private void createTable() throws Exception {
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(
                    c, BLOCKS, ArrowBatches.blocksSchema(), TableOptions.defaults());
        }
    }

    @Test
    void preparesOneNamedTransactionPerNonEmptyCheckpoint() throws Exception {
        createTable();
        try (PostgresWriter w = writer(2, 4, 0);
                Connection c = PG.connect()) {
            assertThat(w.mode()).isEqualTo(CommitMode.PREPARED);
            assertThat(w.prepareCommit()).as("empty checkpoint prepares nothing").isEmpty();
            w.snapshotState(1);

            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 5)), null);
            w.flush(false);
            Collection<PostgresCommittable> first = w.prepareCommit();
            assertThat(first)
                    .singleElement()
                    .satisfies(
                            cm -> {
                                assertThat(cm.gid()).isEqualTo("w-2-2");
                                assertThat(cm.checkpointId()).isEqualTo(2);
                                assertThat(cm.rows()).isEqualTo(5);
                                assertThat(cm.isWal()).isFalse();
                            });
            assertThat(w.snapshotState(2)).containsExactly(new PostgresWriterState("w", 2, 4, 2));

            // A checkpoint this subtask never saw (aborted before its barrier): numbering follows
            // the last snapshot, never exceeding the checkpoint that prepares it.
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(5, 6)), null);
            w.write(new RollbackRecord(BLOCKS, null, 5), null);
            assertThat(w.prepareCommit())
                    .extracting(PostgresCommittable::gid)
                    .containsExactly("w-2-3");
            w.snapshotState(5);
            assertThat(w.prepareCommit()).isEmpty();

            assertThat(Pg.preparedGids(c)).containsExactly("w-2-2", "w-2-3");
            assertThat(Pg.count(c, "SELECT count(*) FROM blocks"))
                    .as("invisible before commit")
                    .isZero();
        }
    }

    @Test
    void batchesOfSeveralTablesInterleaveInOneTransaction() throws Exception {
        TableRef other = new TableRef("public", "other_blocks");
        createTable();
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(
                    c, other, ArrowBatches.blocksSchema(), TableOptions.defaults());
        }
        PostgresSink sink = sink(CommitMode.AUTO);
        try (PostgresWriter w = writer(0, 1, 0);
                PostgresCommitter committer =
                        new PostgresCommitter(sink.config(), new UnregisteredMetricsGroup());
                Connection c = PG.connect()) {
            // The first batch of a table needs a catalog read while the other table's COPY is open.
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 3)), null);
            w.write(new ArrowBatchRecord(other, null, ArrowBatches.blocks(0, 4)), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(3, 5)), null);
            w.write(new RollbackRecord(other, null, 2), null);
            w.write(new ArrowBatchRecord(other, null, ArrowBatches.blocks(2, 3)), null);
            committer.commit(List.of(new FakeCommitRequest<>(w.prepareCommit().iterator().next())));
            assertThat(Pg.count(c, "SELECT count(*) FROM blocks")).isEqualTo(5);
            assertThat(Pg.count(c, "SELECT count(*) FROM other_blocks")).isEqualTo(3);
        }
    }

    @Test
    void rollbackAfterAnUncommittedCheckpointStillSeesItsRows() throws Exception {
        createTable();
        PostgresSink sink = sink(CommitMode.AUTO);
        try (PostgresWriter w = writer(0, 1, 0);
                PostgresCommitter committer =
                        new PostgresCommitter(sink.config(), new UnregisteredMetricsGroup());
                Connection c = PG.connect()) {
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 10)), null);
            PostgresCommittable first = w.prepareCommit().iterator().next();
            w.snapshotState(1);
            // Blocks 5..9 are in a prepared, uncommitted transaction: a DELETE now would miss them.
            w.write(new RollbackRecord(BLOCKS, null, 5), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(5, 8)), null);
            PostgresCommittable second = w.prepareCommit().iterator().next();
            w.snapshotState(2);
            assertThat(second.hasPreparedPart()).isFalse();
            assertThat(second.isWal()).isTrue();
            committer.commit(
                    List.of(new FakeCommitRequest<>(first), new FakeCommitRequest<>(second)));
            assertThat(
                            Pg.strings(
                                    c,
                                    "SELECT string_agg(_block_num::text, ',' ORDER BY 1) FROM"
                                            + " blocks"))
                    .containsExactly("0,1,2,3,4,5,6,7");

            // Predecessors committed: the next rollback goes straight into the transaction.
            w.write(new RollbackRecord(BLOCKS, null, 7), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(7, 9)), null);
            PostgresCommittable third = w.prepareCommit().iterator().next();
            assertThat(third.hasPreparedPart()).isTrue();
            assertThat(third.isWal()).isFalse();
            committer.commit(List.of(new FakeCommitRequest<>(third)));
            assertThat(
                            Pg.strings(
                                    c,
                                    "SELECT string_agg(_block_num::text, ',' ORDER BY 1) FROM"
                                            + " blocks"))
                    .containsExactly("0,1,2,3,4,5,6,7,8");
            assertThat(Pg.preparedGids(c)).isEmpty();
        }
    }

    @Test
    void aReplacedTableWaitsForEarlierCheckpointsAndItsLaterRowsWaitForIt() throws Exception {
        createTable();
        PostgresSink sink = sink(CommitMode.AUTO);
        String blockNums = "SELECT string_agg(_block_num::text, ',' ORDER BY 1) FROM blocks";
        try (PostgresWriter w = writer(0, 1, 0);
                PostgresCommitter committer =
                        new PostgresCommitter(sink.config(), new UnregisteredMetricsGroup());
                Connection c = PG.connect()) {
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 10)), null);
            PostgresCommittable first = w.prepareCommit().iterator().next();
            w.snapshotState(1);
            // The prepared transaction holds the table: DROP inside this transaction would wait
            // for it forever (its commit runs on this very thread), so it goes to the committer.
            w.write(new ReplaceTableRecord(BLOCKS, ArrowBatches.blocks(0, 1)), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 3)), null);
            PostgresCommittable second = w.prepareCommit().iterator().next();
            w.snapshotState(2);
            assertThat(second.hasPreparedPart()).isFalse();
            // A later checkpoint's rows of that table must not reach the old table either.
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(3, 5)), null);
            PostgresCommittable third = w.prepareCommit().iterator().next();
            w.snapshotState(3);
            assertThat(third.hasPreparedPart()).isFalse();
            committer.commit(
                    List.of(
                            new FakeCommitRequest<>(first),
                            new FakeCommitRequest<>(second),
                            new FakeCommitRequest<>(third)));
            assertThat(Pg.strings(c, blockNums)).containsExactly("0,1,2,3,4");

            // Everything before it committed: the replacement goes into the open transaction.
            w.write(new ReplaceTableRecord(BLOCKS, ArrowBatches.blocks(0, 1)), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 2)), null);
            PostgresCommittable fourth = w.prepareCommit().iterator().next();
            assertThat(fourth.hasPreparedPart()).isTrue();
            assertThat(fourth.isWal()).isFalse();
            // (A reader of the table waits for this prepared DROP until it commits.)
            committer.commit(List.of(new FakeCommitRequest<>(fourth)));
            assertThat(Pg.strings(c, blockNums)).containsExactly("0,1");
            assertThat(Pg.preparedGids(c)).isEmpty();
        }
    }

    @Test
    void rollbackWaitsForBufferedRecordsTheCommitterHasNotAppliedYet() throws Exception {
        createTable();
        PostgresSink sink = sink(CommitMode.AUTO);
        try (PostgresWriter w = writer(0, 1, 0);
                PostgresCommitter committer =
                        new PostgresCommitter(sink.config(), new UnregisteredMetricsGroup());
                Connection c = PG.connect()) {
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 10)), null);
            PostgresCommittable first = w.prepareCommit().iterator().next();
            w.snapshotState(1);
            // Behind the prepared first part: buffered, applied by the committer later.
            w.write(new RollbackRecord(BLOCKS, null, 5), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(5, 8)), null);
            PostgresCommittable second = w.prepareCommit().iterator().next();
            w.snapshotState(2);
            assertThat(second.hasPreparedPart()).isFalse();
            // Checkpoint 1 completes; checkpoint 2's notification has not arrived yet.
            committer.commit(List.of(new FakeCommitRequest<>(first)));

            // Another reorg: blocks 6 and 7 exist only in the unapplied second part, so a DELETE
            // now would miss them. It must wait behind the second part too.
            w.write(new RollbackRecord(BLOCKS, null, 6), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(6, 9)), null);
            PostgresCommittable third = w.prepareCommit().iterator().next();
            w.snapshotState(3);
            assertThat(third.hasPreparedPart()).isFalse();
            assertThat(third.isWal()).isTrue();
            committer.commit(
                    List.of(new FakeCommitRequest<>(second), new FakeCommitRequest<>(third)));
            assertThat(
                            Pg.strings(
                                    c,
                                    "SELECT string_agg(_block_num::text, ',' ORDER BY 1) FROM"
                                            + " blocks"))
                    .containsExactly("0,1,2,3,4,5,6,7,8");

            // Everything before is applied now: the next rollback goes straight in again.
            w.write(new RollbackRecord(BLOCKS, null, 8), null);
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(8, 10)), null);
            PostgresCommittable fourth = w.prepareCommit().iterator().next();
            assertThat(fourth.hasPreparedPart()).isTrue();
            assertThat(fourth.isWal()).isFalse();
            committer.commit(List.of(new FakeCommitRequest<>(fourth)));
            assertThat(
                            Pg.strings(
                                    c,
                                    "SELECT string_agg(_block_num::text, ',' ORDER BY 1) FROM"
                                            + " blocks"))
                    .containsExactly("0,1,2,3,4,5,6,7,8,9");
            assertThat(Pg.preparedGids(c)).isEmpty();
        }
    }

    @Test
    void keyedChangesWaitUntilAnEarlierBufferedPartIsApplied() throws Exception {
        TableRef kv = TableRef.of("kv");
        String[] cols = {"id", "v"};
        PostgresSink sink =
                PostgresSink.builder()
                        .setJdbcUrl(PG.jdbcUrl())
                        .setTransactionalIdPrefix("w")
                        .setLockTimeout(java.time.Duration.ofSeconds(2))
                        .build();
        try (Connection c = PG.connect()) {
            Pg.exec(c, "CREATE TABLE kv (id int PRIMARY KEY, v text)");
        }
        try (PostgresWriter w =
                        new PostgresWriter(
                                sink.config(),
                                0,
                                1,
                                0,
                                List.of(),
                                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
                PostgresCommitter committer =
                        new PostgresCommitter(sink.config(), new UnregisteredMetricsGroup());
                Connection c = PG.connect()) {
            w.write(RowChangeRecord.upsert(kv, cols, new Object[] {1, "a"}, "id"), null);
            PostgresCommittable first = w.prepareCommit().iterator().next();
            w.snapshotState(1);
            // Checkpoint 1 is still prepared: checkpoint 2 is buffered, it has no prepared part.
            w.write(RowChangeRecord.upsert(kv, cols, new Object[] {1, "b"}, "id"), null);
            PostgresCommittable second = w.prepareCommit().iterator().next();
            w.snapshotState(2);
            assertThat(second.hasPreparedPart()).isFalse();
            // Checkpoint 1 completes alone (its notification came before checkpoint 2's).
            committer.commit(List.of(new FakeCommitRequest<>(first)));
            assertThat(Pg.preparedGids(c)).isEmpty();
            // Nothing of this writer is prepared now, but checkpoint 2's part is not applied:
            // writing key 1 directly would lock the row that the committer needs for it.
            w.write(RowChangeRecord.upsert(kv, cols, new Object[] {1, "c"}, "id"), null);
            PostgresCommittable third = w.prepareCommit().iterator().next();
            w.snapshotState(3);
            assertThat(third.hasPreparedPart()).isFalse();
            committer.commit(List.of(new FakeCommitRequest<>(second)));
            committer.commit(List.of(new FakeCommitRequest<>(third)));
            assertThat(Pg.strings(c, "SELECT v FROM kv WHERE id = 1")).containsExactly("c");

            // Every predecessor applied: the next keyed change goes straight into a transaction.
            w.write(RowChangeRecord.upsert(kv, cols, new Object[] {1, "d"}, "id"), null);
            PostgresCommittable fourth = w.prepareCommit().iterator().next();
            assertThat(fourth.hasPreparedPart()).isTrue();
            assertThat(fourth.isWal()).isFalse();
            committer.commit(List.of(new FakeCommitRequest<>(fourth)));
            assertThat(Pg.strings(c, "SELECT v FROM kv WHERE id = 1")).containsExactly("d");
            assertThat(Pg.preparedGids(c)).isEmpty();
        }
    }

    @Test
    void aNewColumnIsAddedByTheRestartedWritersNeverInsideATransaction() throws Exception {
        TableRef kv = TableRef.of("kv");
        String[] cols = {"id", "v"};
        PostgresSink sink =
                PostgresSink.builder()
                        .setJdbcUrl(PG.jdbcUrl())
                        .setTransactionalIdPrefix("w")
                        .setLockTimeout(java.time.Duration.ofSeconds(2))
                        .build();
        try (Connection c = PG.connect()) {
            Pg.exec(c, "CREATE TABLE kv (id int PRIMARY KEY, v text)");
        }
        PostgresWriter w0 = writer(sink, 0, 2, 0);
        PostgresWriter w1 = writer(sink, 1, 2, 0);
        try (Connection c = PG.connect()) {
            // Subtask 1 holds a prepared transaction on kv, subtask 0 an open one.
            w1.write(RowChangeRecord.upsert(kv, cols, new Object[] {2, "b"}, "id"), null);
            w1.prepareCommit();
            w1.snapshotState(1);
            w0.write(RowChangeRecord.upsert(kv, cols, new Object[] {1, "a"}, "id"), null);
            long start = System.nanoTime();
            w0.write(new AddColumnRecord(kv, "v", "text"), null); // exists: nothing to do
            assertThatThrownBy(() -> w0.write(new AddColumnRecord(kv, "score", "int4"), null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("added by the restarted writers");
            // Neither call waited for a lock (lock_timeout is 2 s).
            assertThat(System.nanoTime() - start).isLessThan(1_500_000_000L);
            assertThat(Pg.count(c, "SELECT count(*) FROM sluice_sink_schema_changes")).isEqualTo(1);
            w0.close();
            w1.close(); // a crash: w-1-1 stays prepared

            // Restart from checkpoint 0: subtask 1 rolls w-1-1 back, then adds the column.
            try (PostgresWriter r1 = writer(sink, 1, 2, 0);
                    PostgresWriter r0 = writer(sink, 0, 2, 0)) {
                assertThat(
                                Pg.strings(
                                        c,
                                        "SELECT data_type FROM information_schema.columns WHERE"
                                                + " table_name = 'kv' AND column_name = 'score'"))
                        .containsExactly("integer");
                assertThat(Pg.count(c, "SELECT count(*) FROM sluice_sink_schema_changes")).isZero();
                assertThat(Pg.preparedGids(c)).isEmpty();
                r0.write(new AddColumnRecord(kv, "score", "int4"), null); // the replay: a no-op
                r0.write(
                        RowChangeRecord.upsert(
                                kv,
                                new String[] {"id", "v", "score"},
                                new Object[] {1, "a", 7},
                                "id"),
                        null);
                r0.flush(false); // the row with the new column went in
            }
        }
    }

    private PostgresWriter writer(PostgresSink sink, int subtask, int parallelism, long restored)
            throws Exception {
        return new PostgresWriter(
                sink.config(),
                subtask,
                parallelism,
                restored,
                List.of(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
    }

    @Test
    void closeRollsBackTheOpenTransactionAndReleasesTheConnection() throws Exception {
        createTable();
        PostgresWriter w = writer(0, 1, 0);
        w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 100)), null);
        w.close();
        try (Connection c = PG.connect()) {
            assertThat(Pg.count(c, "SELECT count(*) FROM blocks")).isZero();
            assertThat(Pg.preparedGids(c)).isEmpty();
            assertThat(
                            Pg.count(
                                    c,
                                    "SELECT count(*) FROM pg_stat_activity WHERE application_name"
                                            + " LIKE 'sluice-sink-%' AND datname ="
                                            + " current_database()"))
                    .isZero();
        }
    }

    @Test
    void brokenTransactionFailsEveryFurtherCallInsteadOfResending() throws Exception {
        try (Connection c = PG.connect()) {
            Pg.exec(c, "CREATE TABLE blocks (_block_num numeric(20,0), v bigint)"); // no label
        }
        try (PostgresWriter w = writer(0, 1, 0)) {
            assertThatThrownBy(
                            () ->
                                    w.write(
                                            new ArrowBatchRecord(
                                                    BLOCKS, null, ArrowBatches.blocks(0, 3)),
                                            null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("\"label\"")
                    .hasMessageContaining("restarts from the last checkpoint");
            assertThatThrownBy(w::prepareCommit).isInstanceOf(IOException.class);
        }
    }

    @Test
    void recoveryRollsBackOwnedTransactionsAboveTheRestoredCheckpointAcrossRescaling()
            throws Exception {
        createTable();
        // Old job: parallelism 3, checkpoint 3 completed (not yet committed), 5 in flight.
        List<PostgresWriter> old = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            PostgresWriter w = writer(s, 3, 2);
            w.write(
                    new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(s * 10, s * 10 + 2)),
                    null);
            assertThat(w.prepareCommit()).hasSize(1); // w-s-3
            w.snapshotState(4);
            w.write(
                    new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(s * 10 + 2, s * 10 + 3)),
                    null);
            assertThat(w.prepareCommit()).hasSize(1); // w-s-5
            old.add(w);
        }
        try (Connection c = PG.connect()) {
            assertThat(Pg.preparedGids(c))
                    .containsExactly("w-0-3", "w-0-5", "w-1-3", "w-1-5", "w-2-3", "w-2-5");
        }
        for (PostgresWriter w : old) {
            w.close(); // prepared transactions outlive their sessions
        }
        // New job at parallelism 2 restores checkpoint 4: subtask 0 owns old 0 and 2, subtask 1
        // owns old 1. Everything above 4 goes; 3 stays for the committer.
        try (PostgresWriter w0 = writer(0, 2, 4, List.of(new PostgresWriterState("w", 0, 3, 4)));
                Connection c = PG.connect()) {
            assertThat(Pg.preparedGids(c)).containsExactly("w-0-3", "w-1-3", "w-1-5", "w-2-3");
            try (PostgresWriter w1 = writer(1, 2, 4)) {
                assertThat(Pg.preparedGids(c)).containsExactly("w-0-3", "w-1-3", "w-2-3");
            }
        }
        // Scale up to 4 from the same checkpoint: nothing above 4 is left, nothing below is
        // touched.
        for (int s = 0; s < 4; s++) {
            try (PostgresWriter w = writer(s, 4, 4)) {
                // Starting is the recovery.
            }
        }
        try (Connection c = PG.connect()) {
            assertThat(Pg.preparedGids(c)).containsExactly("w-0-3", "w-1-3", "w-2-3");
        }
    }

    @Test
    void walModeBuffersRecordsIntoTheCommittable() throws Exception {
        createTable();
        try (PostgresWriter w =
                new PostgresWriter(
                        sink(CommitMode.WAL).config(),
                        1,
                        2,
                        7,
                        List.of(),
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup())) {
            assertThat(w.mode()).isEqualTo(CommitMode.WAL);
            assertThat(w.prepareCommit()).isEmpty();
            w.write(new ArrowBatchRecord(BLOCKS, null, ArrowBatches.blocks(0, 5)), null);
            w.write(new RollbackRecord(BLOCKS, null, 3), null);
            assertThat(w.prepareCommit())
                    .singleElement()
                    .satisfies(
                            cm -> {
                                assertThat(cm.gid()).isEqualTo("w-1-8");
                                assertThat(cm.isWal()).isTrue();
                                assertThat(cm.rows()).isEqualTo(2);
                            });
            try (Connection c = PG.connect()) {
                assertThat(Pg.preparedGids(c)).isEmpty();
            }
        }
    }
}
