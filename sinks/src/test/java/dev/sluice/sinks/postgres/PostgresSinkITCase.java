package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.PostgresWriter;
import dev.sluice.testutils.EmbeddedPostgresServer;
import dev.sluice.testutils.PostgresExtension;
import dev.sluice.testutils.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once on a MiniCluster against a real PostgreSQL (Kafka's recipe): inject failures, then
 * assert the target equals the expected rows exactly and no prepared transaction is left.
 */
@Timeout(180)
class PostgresSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path checkpoints;

    @BeforeEach
    void reset() {
        BlocksPipeline.reset();
    }

    private static Configuration conf(int restarts) {
        Configuration conf = new Configuration();
        if (restarts == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restarts);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(200));
        }
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    private static PostgresSinkBuilder sink(String url) {
        return PostgresSink.builder()
                .setJdbcUrl(url)
                .setTransactionalIdPrefix("it")
                .setRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .setRetryMaxAttempts(100);
    }

    @Test
    void exactlyOnceDespiteFailuresAfterAndBetweenCheckpointsAndDuringCommit() throws Exception {
        long batches = 120;
        try (Connection c = PG.connect()) {
            BlocksPipeline.createTable(c);
        }
        BlocksPipeline.FAIL_AFTER_CHECKPOINTS.set(2);
        BlocksPipeline.FAIL_AT_ELEMENT.set(100);
        BlocksPipeline.FAIL_IN_NOTIFY_FROM.set(4);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(conf(10));
        env.enableCheckpointing(100);
        env.setParallelism(2);
        BlocksPipeline.build(env, sink(PG.jdbcUrl()).build(), batches, 15);

        // Meanwhile, keep killing the committers' sessions: commits must retry, not duplicate.
        AtomicBoolean running = new AtomicBoolean(true);
        Thread killer =
                new Thread(
                        () -> {
                            try (Connection c = PG.connect()) {
                                while (running.get()) {
                                    Pg.strings(
                                            c,
                                            "SELECT pg_terminate_backend(pid)::text FROM"
                                                    + " pg_stat_activity WHERE application_name ="
                                                    + " 'sluice-sink-committer'");
                                    Thread.sleep(300);
                                }
                            } catch (Exception e) {
                                if (e instanceof InterruptedException) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        },
                        "committer-killer");
        killer.start();
        try {
            env.execute("exactly-once with failures");
        } finally {
            running.set(false);
            killer.join(10_000);
        }
        assertThat(BlocksPipeline.FAILURES.get()).isEqualTo(3);
        try (Connection c = PG.connect()) {
            BlocksPipeline.assertExactly(c, batches);
            assertThat(Pg.count(c, "SELECT count(*) FROM sluice_sink_commits")).isPositive();
        }
    }

    @Test
    void rescaleDownFromRetainedCheckpointWithLingeringPreparedTransactions() throws Exception {
        rescale(2, 1);
    }

    @Test
    void rescaleUpFromRetainedCheckpointWithLingeringPreparedTransactions() throws Exception {
        rescale(1, 2);
    }

    /**
     * Job 1 stops with prepared transactions nobody committed: once its writers are connected the
     * database refuses new sessions and the committers' sessions are killed, so the first commit
     * fails the job (no restarts). Job 2 restores the retained checkpoint at another parallelism.
     */
    private void rescale(int from, int to) throws Exception {
        long batches = 80;
        try (Connection c = PG.connect()) {
            BlocksPipeline.createTable(c);
        }
        Configuration conf1 = conf(0);
        conf1.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf1.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        StreamExecutionEnvironment env1 = StreamExecutionEnvironment.getExecutionEnvironment(conf1);
        env1.enableCheckpointing(150);
        env1.setParallelism(from);
        BlocksPipeline.build(env1, sink(PG.jdbcUrl()).setRetryMaxAttempts(3).build(), batches, 25);
        JobClient job1 = env1.executeAsync("rescale job 1");
        try (Connection c = PG.connect();
                Connection admin = PG.server().connect("postgres")) {
            waitFor(
                    () ->
                            Pg.count(
                                            c,
                                            "SELECT count(*) FROM pg_stat_activity WHERE"
                                                    + " application_name LIKE"
                                                    + " 'sluice-sink-writer-%'")
                                    == from);
            Pg.exec(
                    admin,
                    "ALTER DATABASE " + TableRef.quote(PG.database()) + " ALLOW_CONNECTIONS false");
            Pg.strings(
                    c,
                    "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE"
                            + " application_name = 'sluice-sink-committer'");
            assertThatThrownBy(() -> job1.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                    .hasStackTraceContaining("not currently accepting connections");
            Pg.exec(
                    admin,
                    "ALTER DATABASE " + TableRef.quote(PG.database()) + " ALLOW_CONNECTIONS true");
            assertThat(Pg.preparedGids(c)).as("lingering prepared transactions").isNotEmpty();
            assertThat(Pg.count(c, "SELECT count(*) FROM blocks")).isLessThan(batches * 10);
        }
        Path retained = latestCheckpoint(checkpoints);

        Configuration conf2 = conf(0);
        conf2.set(StateRecoveryOptions.SAVEPOINT_PATH, retained.toUri().toString());
        StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment(conf2);
        env2.enableCheckpointing(100);
        env2.setParallelism(to);
        BlocksPipeline.build(env2, sink(PG.jdbcUrl()).build(), batches, 0);
        env2.execute("rescale job 2");
        try (Connection c = PG.connect()) {
            BlocksPipeline.assertExactly(c, batches);
        }
    }

    @Test
    void postgresRestartMidRunLosesAndDuplicatesNothing() throws Exception {
        long batches = 160;
        try (EmbeddedPostgresServer server = TestPostgres.dedicated(Map.of())) {
            server.createDatabase("db");
            try (Connection c = server.connect("db")) {
                BlocksPipeline.createTable(c);
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf(20));
            env.enableCheckpointing(100);
            env.setParallelism(2);
            BlocksPipeline.build(env, sink(server.jdbcUrl("db")).build(), batches, 15);
            JobClient job = env.executeAsync("postgres restart");
            try (Connection c = server.connect("db")) {
                waitFor(() -> Pg.count(c, "SELECT count(*) FROM blocks") > 0);
            }
            server.restart();
            job.getJobExecutionResult().get(150, TimeUnit.SECONDS);
            try (Connection c = server.connect("db")) {
                BlocksPipeline.assertExactly(c, batches);
            }
        }
    }

    @Test
    void walModeOnServerWithoutPreparedTransactions() throws Exception {
        long batches = 100;
        try (EmbeddedPostgresServer server =
                TestPostgres.dedicated(Map.of("max_prepared_transactions", "0"))) {
            server.createDatabase("db");
            String url = server.jdbcUrl("db");
            try (Connection c = server.connect("db")) {
                BlocksPipeline.createTable(c);
            }
            // Asking for prepared mode explicitly says what to set.
            assertThatThrownBy(
                            () ->
                                    new PostgresWriter(
                                            sink(url)
                                                    .setCommitMode(CommitMode.PREPARED)
                                                    .build()
                                                    .config(),
                                            0,
                                            1,
                                            0,
                                            List.of(),
                                            UnregisteredMetricsGroup.createSinkWriterMetricGroup()))
                    .isInstanceOf(FlinkRuntimeException.class)
                    .hasMessageContaining("max_prepared_transactions")
                    .hasMessageContaining("sink.postgres.commit-mode=wal");

            BlocksPipeline.FAIL_AFTER_CHECKPOINTS.set(2);
            BlocksPipeline.FAIL_IN_NOTIFY_FROM.set(6);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf(10));
            env.enableCheckpointing(100);
            env.setParallelism(2);
            BlocksPipeline.build(env, sink(url).build(), batches, 8); // auto → wal
            env.execute("wal mode");
            try (Connection c = server.connect("db")) {
                BlocksPipeline.assertExactly(c, batches);
                assertThat(Pg.count(c, "SELECT count(*) FROM sluice_sink_commits")).isPositive();
            }
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Condition not reached within 60 s");
            }
            Thread.sleep(20);
        }
    }

    private static Path latestCheckpoint(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .max(
                            Comparator.comparingLong(
                                    p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("No retained checkpoint in " + dir));
        }
    }
}
