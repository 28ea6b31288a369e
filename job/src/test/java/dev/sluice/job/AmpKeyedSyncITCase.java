package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table merged by key through the whole job: {@code blocks} keyed by {@code miner} (eight miners,
 * so every block overwrites a row) under reorgs and a TaskManager kill. The target must hold, per
 * miner, exactly the latest canonical block.
 */
@Timeout(240)
class AmpKeyedSyncITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void latestCanonicalBlockPerMinerAfterReorgsAndAFailure(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path dir) throws Exception {
        try (AmpDevServer server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(100)
                        .headMicrobatchBlocks(3)
                        .seed(3)
                        .build()
                        .start()) {
            String[] args = {
                "--dataset",
                "anvil",
                "--tables",
                "blocks",
                "--unique-key",
                "blocks=miner",
                "--amp-flight-addr",
                "http://localhost:" + server.flightPort(),
                "--database-url",
                PG.jdbcUrl(),
                "--state-dir",
                dir.toString()
            };
            AmpJobPlan plan =
                    SyncCommand.plan(
                            SyncSettings.from(
                                    new CommandLine(SyncOptions.ALL).parse(args, Map.of()),
                                    Map.of()));
            plan.prepareTargets();
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(300));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.enableCheckpointing(200);
            plan.addTo(env, 1);
            JobClient job = env.executeAsync("keyed");
            try (Connection c = PG.connect()) {
                for (int i = 1; i <= 40; i++) {
                    server.mine(1);
                    if (i % 8 == 0) {
                        server.reorg(2 + i % 3, 1);
                    }
                    if (i == 20) {
                        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                        cluster.startTaskManager();
                    }
                    Thread.sleep(60);
                }
                Map<String, String> expected = latestBlockPerMiner(server);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                Map<String, String> actual = target(c);
                while (!actual.equals(expected) && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    actual = target(c);
                }
                assertThat(actual).isEqualTo(expected).hasSize(8);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** miner → "block:hash" of its latest canonical block, from a non-streaming Flight query. */
    private static Map<String, String> latestBlockPerMiner(AmpDevServer server) throws Exception {
        Map<String, String> latest = new TreeMap<>();
        Map<String, Long> latestBlock = new TreeMap<>();
        try (RootAllocator a = new RootAllocator();
                FlightClient client = FlightClient.builder(a, server.flightLocation()).build()) {
            FlightInfo info =
                    client.getInfo(
                            FlightSqlCommands.statementQuery(
                                    "SELECT _block_num, miner, hash FROM"
                                            + " \"_/anvil@latest\".blocks"));
            try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
                while (stream.next()) {
                    UInt8Vector num = (UInt8Vector) stream.getRoot().getVector("_block_num");
                    FixedSizeBinaryVector miner =
                            (FixedSizeBinaryVector) stream.getRoot().getVector("miner");
                    FixedSizeBinaryVector hash =
                            (FixedSizeBinaryVector) stream.getRoot().getVector("hash");
                    for (int i = 0; i < stream.getRoot().getRowCount(); i++) {
                        String m = BlockHashes.toHex(miner.get(i)).substring(2);
                        long b = num.get(i);
                        if (b >= latestBlock.getOrDefault(m, -1L)) {
                            latestBlock.put(m, b);
                            latest.put(m, b + ":" + BlockHashes.toHex(hash.get(i)).substring(2));
                        }
                    }
                }
            }
        }
        return latest;
    }

    private static Map<String, String> target(Connection c) throws Exception {
        Map<String, String> rows = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT encode(miner, 'hex'), _block_num, encode(hash, 'hex') FROM"
                                        + " blocks")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2) + ":" + rs.getString(3));
            }
        }
        return rows;
    }
}
