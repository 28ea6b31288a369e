package dev.sluice.job;

import static dev.sluice.job.testutils.TargetChecks.awaitExactlyCanonical;
import static dev.sluice.job.testutils.TargetChecks.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Amp path on a MiniCluster: dev server → source → reorg operator → 2PC sink →
 * PostgreSQL, with reorgs while following the head and failures at random moments (TaskManager
 * killed, database connections killed). The target must equal the canonical chain exactly.
 */
@Timeout(240)
class AmpSyncITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final List<String> TABLES = List.of("blocks", "transactions", "logs");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private AmpDevServer devServer() throws Exception {
        AmpDevServer server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(300)
                        .txsPerBlock(3)
                        .logsPerTx(2)
                        .headMicrobatchBlocks(2)
                        .seed(11)
                        .build()
                        .start();
        closeables.add(server);
        return server;
    }

    private JobClient start(AmpDevServer server, Path stateDir, String... extraArgs)
            throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--amp-flight-addr", "http://localhost:" + server.flightPort(),
                                "--tables", String.join(",", TABLES),
                                "--database-url", PG.jdbcUrl(),
                                "--parallelism", "2",
                                "--state-dir", stateDir.toString()));
        args.addAll(List.of(extraArgs));
        SyncSettings settings =
                SyncSettings.from(
                        new CommandLine(SyncOptions.ALL)
                                .parse(args.toArray(new String[0]), Map.of()),
                        Map.of());
        AmpJobPlan plan = SyncCommand.plan(settings);
        plan.prepareTargets();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 50);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(200);
        env.setParallelism(2);
        plan.addTo(env, 2);
        JobClient client = env.executeAsync("amp sync it");
        closeables.add(
                () -> {
                    if (!client.getJobStatus().get().isGloballyTerminalState()) {
                        client.cancel().get(30, TimeUnit.SECONDS);
                    }
                });
        return client;
    }

    @Test
    void targetEqualsTheCanonicalChainAfterReorgsAndRandomFailures(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path stateDir) throws Exception {
        AmpDevServer server = devServer();
        JobClient client = start(server, stateDir, "--dataset", "_/anvil@latest");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("AmpSyncITCase failure seed " + seed);
        try (Connection c = PG.connect()) {
            awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 90);
            int kills = 0;
            for (int i = 1; i <= 90; i++) {
                server.mine(1);
                if (i % 12 == 0) {
                    server.reorg(1 + random.nextInt(4), 1);
                }
                if (random.nextInt(15) == 0 || (i == 45 && kills == 0)) {
                    kills++;
                    if (random.nextBoolean()) {
                        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                        cluster.startTaskManager();
                    } else {
                        killSinkConnections(c);
                    }
                }
                Thread.sleep(40);
            }
            for (String table : TABLES) {
                awaitExactlyCanonical(server, c, table, "\"public\".\"" + table + "\"", 120);
            }
            // A clean stop commits the last checkpoint's transactions and leaves none prepared.
            client.stopWithSavepoint(
                            false,
                            stateDir.resolve("sp").toUri().toString(),
                            SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
            for (String table : TABLES) {
                awaitExactlyCanonical(server, c, table, "\"public\".\"" + table + "\"", 10);
            }
            assertThat(
                            count(
                                    c,
                                    "SELECT count(*) FROM pg_prepared_xacts WHERE database ="
                                            + " current_database()"))
                    .isZero();
            assertThat(kills).isPositive();
        }
    }

    @Test
    void twoDatasetsWithThreeTablesEachInOneJob(@TempDir Path stateDir) throws Exception {
        AmpDevServer server = devServer();
        start(server, stateDir, "--dataset", "_/anvil@latest", "--dataset", "_/mirror@latest");
        server.mine(5);
        server.reorg(2, 1);
        try (Connection c = PG.connect()) {
            for (String dataset : List.of("anvil", "mirror")) {
                for (String table : TABLES) {
                    awaitExactlyCanonical(
                            server, c, table, "\"public\".\"" + dataset + "_" + table + "\"", 90);
                }
            }
        }
    }

    /** Ends every session of the test database but ours: the sink's writers and committers. */
    private static void killSinkConnections(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname ="
                            + " current_database() AND pid <> pg_backend_pid()");
        }
    }
}
