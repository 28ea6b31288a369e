package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.config.PipelineFileLoader;
import dev.sluice.job.config.PipelineSpec;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.devserver.DevBlock;
import dev.sluice.testutils.PostgresExtension;
import dev.sluice.testutils.PostgresServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
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
 * An Amp pipeline enriched by HTTP lookups under reorgs and a TaskManager kill. One lookup asks the
 * dev server's own admin API for the canonical hash of the row's block: rows of a fork that is
 * rolled back are re-streamed and must be looked up again — a cached answer from the abandoned fork
 * would leave a hash that differs from the row's. Another lookup fails for every seventh block and
 * sends those rows to the dead-letter table, whose rows of rolled-back blocks must go with them.
 * Afterwards target and dead letters are exactly the canonical chain.
 */
@Timeout(240)
class AmpEnrichmentITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    private HttpServer oracle;
    private final AtomicInteger parityRequests = new AtomicInteger();

    @AfterEach
    void tearDown() {
        if (oracle != null) {
            oracle.stop(0);
        }
    }

    @Test
    void rowsOfRolledBackBlocksAreLookedUpAgain(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        oracle = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        oracle.createContext("/parity", this::parity);
        oracle.start();
        try (AmpDevServer server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(0)
                        .blocks(60)
                        .headMicrobatchBlocks(3)
                        .seed(5)
                        .build()
                        .start()) {
            PostgresServer pg = PG.server();
            Files.writeString(dir.resolve("pw"), pg.password() == null ? "" : pg.password());
            boolean password = pg.password() != null && !pg.password().isEmpty();
            Path file = dir.resolve("pipelines.yaml");
            Files.writeString(
                    file,
                    "datastores:\n"
                            + "  - {name: amp, type: amp, url: \"grpc://localhost:"
                            + server.flightPort()
                            + "\"}\n"
                            + "  - {name: dst, type: postgres, url: \"postgresql://"
                            + pg.user()
                            + "@"
                            + pg.host()
                            + ":"
                            + pg.port()
                            + "/"
                            + PG.database()
                            + "\""
                            + (password ? ", password_file: pw" : "")
                            + "}\n"
                            + "  - {name: chain, type: http, url: \"http://127.0.0.1:"
                            + server.adminPort()
                            + "\"}\n"
                            + "  - {name: oracle, type: http, url: \"http://127.0.0.1:"
                            + oracle.getAddress().getPort()
                            + "\"}\n"
                            + "pipelines:\n"
                            + "  - name: chain\n"
                            + "    source: {datastore: amp, dataset: \"_/anvil@latest\","
                            + " tables: [blocks], retention_blocks: 64}\n"
                            + "    enrichment:\n"
                            + "      - {name: canon, type: http, datastore: chain,"
                            + " path: \"/chain/blocks?from={{ _block_num }}&to={{ _block_num }}\","
                            + " output: {canon_hash: \"$[0].hash\"}}\n"
                            + "      - {name: parity, type: http, datastore: oracle,"
                            + " path: \"/parity?block={{ _block_num }}\","
                            + " output: {parity: \"$.parity\"}, on_error: dead_letter,"
                            + " retries: 0}\n"
                            + "    fields:\n"
                            + "      - {column: late, source_column: \"_block_num > 30\"}\n"
                            + "    sink: {datastore: dst, dbschema: public}\n");
            PipelineSpec spec = new PipelineFileLoader(Map.of()).load(file).pipelines.get(0);
            AmpJobPlan plan = PipelineFileCommand.ampPlan(spec, CommitMode.PREPARED, 4);
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
            JobClient job = env.executeAsync("enriched amp");
            try (Connection c = PG.connect()) {
                for (int i = 1; i <= 40; i++) {
                    server.mine(1);
                    if (i % 8 == 0) {
                        // Only a reorg of rows already enriched (and cached) proves anything.
                        awaitCaughtUp(c, server.head().number());
                        server.reorg(2 + i % 3, 1);
                    }
                    if (i == 20) {
                        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                        cluster.startTaskManager();
                    }
                    Thread.sleep(60);
                }
                List<String> expectedRows = new ArrayList<>();
                List<String> expectedDead = new ArrayList<>();
                for (DevBlock b : server.blocks(0, server.head().number())) {
                    if (b.number() % 7 == 0) {
                        expectedDead.add(String.valueOf(b.number()));
                    } else {
                        expectedRows.add(
                                b.number()
                                        + "|"
                                        + b.hash()
                                        + "|"
                                        + b.hash()
                                        + "|"
                                        + (b.number() % 2 == 0 ? "even" : "odd")
                                        + "|"
                                        + (b.number() > 30));
                    }
                }
                String rowsSql =
                        "SELECT _block_num || '|' || '0x' || encode(hash, 'hex') || '|' ||"
                                + " coalesce(canon_hash, 'null') || '|' || parity || '|' || late"
                                + " FROM blocks ORDER BY _block_num";
                String deadSql = "SELECT _block_num FROM blocks_dead_letter ORDER BY 1";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                List<String> rows = strings(c, rowsSql);
                List<String> dead = strings(c, deadSql);
                while ((!rows.equals(expectedRows) || !dead.equals(expectedDead))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    rows = strings(c, rowsSql);
                    dead = strings(c, deadSql);
                }
                assertThat(rows).isEqualTo(expectedRows);
                assertThat(dead).isEqualTo(expectedDead);
                assertThat(expectedRows).hasSizeGreaterThan(80);
                assertThat(strings(c, "SELECT count(*) FROM pg_prepared_xacts"))
                        .containsExactly("0");
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits (bounded) until the head block is committed, as a row or a dead letter. */
    private static void awaitCaughtUp(Connection c, long head) throws Exception {
        String sql =
                "SELECT greatest((SELECT max(_block_num) FROM blocks),"
                        + " (SELECT max(_block_num) FROM blocks_dead_letter))";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> max = strings(c, sql);
            if (!max.isEmpty() && max.get(0) != null && Long.parseLong(max.get(0)) >= head) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job did not reach block " + head + " within 60 s");
    }

    private void parity(HttpExchange ex) throws java.io.IOException {
        try (ex) {
            parityRequests.incrementAndGet();
            String q = ex.getRequestURI().getQuery();
            long block = Long.parseLong(q.substring(q.indexOf("block=") + 6));
            boolean fail = block % 7 == 0;
            byte[] body =
                    (fail
                                    ? "{\"error\":\"no parity today\"}"
                                    : "{\"parity\":\"" + (block % 2 == 0 ? "even" : "odd") + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(fail ? 500 : 200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private static List<String> strings(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            out.add("error: " + e.getMessage());
        }
        return out;
    }
}
