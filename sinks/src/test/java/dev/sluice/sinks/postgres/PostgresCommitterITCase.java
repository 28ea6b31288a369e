package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.PostgresCommittable;
import dev.sluice.sinks.postgres.internal.PostgresCommitter;
import dev.sluice.sinks.postgres.internal.PostgresSinkRecordSerializer;
import dev.sluice.testutils.EmbeddedPostgresServer;
import dev.sluice.testutils.PostgresExtension;
import dev.sluice.testutils.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The committer against a real server, driven with fake commit requests. */
@Timeout(120)
class PostgresCommitterITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableRef T = TableRef.of("t");

    private static PostgresSink sink(String url) {
        return PostgresSink.builder()
                .setJdbcUrl(url)
                .setTransactionalIdPrefix("c")
                .setRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .setRetryMaxAttempts(60)
                .build();
    }

    private static PostgresCommitter committer(String url) {
        return new PostgresCommitter(sink(url).config(), new UnregisteredMetricsGroup());
    }

    /** Prepares a transaction the way the writer does: rows, marker row, PREPARE. */
    private static PostgresCommittable prepare(Connection c, String gid, int... values)
            throws Exception {
        Pg.exec(
                c,
                "CREATE TABLE IF NOT EXISTS sluice_sink_commits (gid text PRIMARY KEY,"
                        + " checkpoint_id bigint NOT NULL, subtask integer NOT NULL, rows bigint"
                        + " NOT NULL, prepared_at timestamptz NOT NULL DEFAULT now())");
        Pg.exec(c, "CREATE TABLE IF NOT EXISTS t (v int)");
        c.setAutoCommit(false);
        for (int v : values) {
            Pg.exec(c, "INSERT INTO t VALUES (" + v + ")");
        }
        Pg.exec(
                c,
                "INSERT INTO sluice_sink_commits (gid, checkpoint_id, subtask, rows) VALUES ('"
                        + gid
                        + "', 1, 0, "
                        + values.length
                        + ")");
        Pg.exec(c, "PREPARE TRANSACTION '" + gid + "'");
        c.setAutoCommit(true);
        return PostgresCommittable.prepared(gid, 1, 0, values.length);
    }

    @Test
    void commitsAndRecognizesReplays() throws Exception {
        try (Connection c = PG.connect();
                PostgresCommitter committer = committer(PG.jdbcUrl())) {
            PostgresCommittable a = prepare(c, "c-0-1", 1, 2);
            PostgresCommittable b = prepare(c, "c-0-2", 3);
            FakeCommitRequest<PostgresCommittable> ra = new FakeCommitRequest<>(a);
            FakeCommitRequest<PostgresCommittable> rb = new FakeCommitRequest<>(b);
            committer.commit(List.of(ra, rb));
            assertThat(ra.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
            assertThat(rb.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
            assertThat(Pg.strings(c, "SELECT v FROM t ORDER BY v")).containsExactly("1", "2", "3");
            assertThat(Pg.preparedGids(c)).isEmpty();

            // Replay after restore (also out of order): already committed, nothing doubled.
            FakeCommitRequest<PostgresCommittable> replayB = new FakeCommitRequest<>(b, 1);
            FakeCommitRequest<PostgresCommittable> replayA = new FakeCommitRequest<>(a, 1);
            committer.commit(List.of(replayB, replayA));
            assertThat(replayA.outcome).isEqualTo(FakeCommitRequest.Outcome.ALREADY_COMMITTED);
            assertThat(replayB.outcome).isEqualTo(FakeCommitRequest.Outcome.ALREADY_COMMITTED);
            assertThat(Pg.count(c, "SELECT count(*) FROM t")).isEqualTo(3);
        }
    }

    @Test
    void lostTransactionFailsLoudly() throws Exception {
        try (Connection c = PG.connect();
                PostgresCommitter committer = committer(PG.jdbcUrl())) {
            PostgresCommittable lost = prepare(c, "c-0-7", 1);
            Pg.exec(c, "ROLLBACK PREPARED 'c-0-7'");
            assertThatThrownBy(() -> committer.commit(List.of(new FakeCommitRequest<>(lost))))
                    .hasMessageContaining("c-0-7")
                    .hasMessageContaining("lost");
        }
    }

    @Test
    void walCommittableIsAppliedOnceWithItsMarker() throws Exception {
        try (Connection c = PG.connect();
                PostgresCommitter committer = committer(PG.jdbcUrl())) {
            Pg.exec(c, "CREATE TABLE t (k int PRIMARY KEY, v text)");
            DataOutputSerializer out = new DataOutputSerializer(64);
            String[] cols = {"k", "v"};
            PostgresSinkRecordSerializer.INSTANCE.serialize(
                    RowChangeRecord.insert(T, cols, new Object[] {1, "a"}), out);
            PostgresSinkRecordSerializer.INSTANCE.serialize(
                    RowChangeRecord.upsert(T, cols, new Object[] {1, "b"}, "k"), out);
            PostgresCommittable wal =
                    PostgresCommittable.wal("c-1-4", 4, 1, 2, out.getCopyOfBuffer());
            FakeCommitRequest<PostgresCommittable> first = new FakeCommitRequest<>(wal);
            committer.commit(List.of(first));
            assertThat(first.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
            FakeCommitRequest<PostgresCommittable> replay = new FakeCommitRequest<>(wal, 1);
            committer.commit(List.of(replay));
            assertThat(replay.outcome).isEqualTo(FakeCommitRequest.Outcome.ALREADY_COMMITTED);
            assertThat(Pg.strings(c, "SELECT k || v FROM t")).containsExactly("1b");
            assertThat(Pg.strings(c, "SELECT gid FROM sluice_sink_commits"))
                    .containsExactly("c-1-4");
        }
    }

    @Test
    void serverDownDuringCommitIsRetriedInsideCommit() throws Exception {
        try (EmbeddedPostgresServer server = TestPostgres.dedicated(Map.of())) {
            server.createDatabase("db");
            String url = server.jdbcUrl("db");
            PostgresCommittable committable;
            try (Connection c = server.connect("db")) {
                committable = prepare(c, "c-0-9", 42);
            }
            server.stop();
            try (PostgresCommitter committer = committer(url)) {
                FakeCommitRequest<PostgresCommittable> request =
                        new FakeCommitRequest<>(committable);
                CompletableFuture<Void> commit =
                        CompletableFuture.runAsync(
                                () -> {
                                    try {
                                        committer.commit(List.of(request));
                                    } catch (Exception e) {
                                        throw new RuntimeException(e);
                                    }
                                });
                Thread.sleep(1500);
                assertThat(commit).isNotDone();
                server.start();
                commit.get(60, TimeUnit.SECONDS);
                assertThat(request.outcome).isEqualTo(FakeCommitRequest.Outcome.PENDING_OR_SUCCESS);
            }
            try (Connection c = server.connect("db")) {
                assertThat(Pg.strings(c, "SELECT v FROM t")).containsExactly("42");
                assertThat(Pg.preparedGids(c)).isEmpty();
            }
        }
    }
}
