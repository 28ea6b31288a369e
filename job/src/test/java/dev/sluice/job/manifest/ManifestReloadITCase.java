package dev.sluice.job.manifest;

import static dev.sluice.job.testutils.TargetChecks.awaitExactlyCanonical;
import static dev.sluice.job.testutils.TargetChecks.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest edited while the embedded Flink streams, with blocks mined and reorgs throughout: a
 * bad edit is ignored; one edit adds a table, changes another's query and removes a third, and is
 * applied inside the running job — the same job, its sink's database sessions never re-opened (a
 * stop with savepoint and resume would start a new job with new sessions), the unchanged table's
 * stream never restarted from the first block nor its rows rewritten; then another change is made
 * while the sink's database connections are killed. Every synced table equals the canonical chain
 * exactly, the unchanged one was not rewritten, the changed ones were rebuilt with their new
 * columns, and the removed one no longer grows.
 */
@Timeout(400)
class ManifestReloadITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    static Map<String, String> tables(String... nameAndSql) {
        Map<String, String> t = new LinkedHashMap<>();
        for (int i = 0; i < nameAndSql.length; i += 2) {
            t.put(nameAndSql[i], nameAndSql[i + 1]);
        }
        return t;
    }

    /** Drops every other connection to the test database: the sink's writers and committers. */
    static void killSinkConnections(Connection c) throws Exception {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname ="
                            + " current_database() AND pid <> pg_backend_pid()");
        }
    }

    /** The sink writers' database sessions, {@code pid@name}: new ones after any job restart. */
    static String writerSessions(Connection c) throws Exception {
        try (java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs =
                        s.executeQuery(
                                "SELECT string_agg(pid::text || '@' || application_name, ','"
                                        + " ORDER BY application_name) FROM pg_stat_activity"
                                        + " WHERE datname = current_database() AND"
                                        + " application_name LIKE 'sluice-sink-writer-_'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean hasColumn(Connection c, String table, String column) throws Exception {
        return count(
                        c,
                        "SELECT count(*) FROM information_schema.columns WHERE table_name = '"
                                + table
                                + "' AND column_name = '"
                                + column
                                + "'")
                > 0;
    }

    void writeAtomically(Path file, String content) throws Exception {
        Path tmp = dir.resolve("edit.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Mines (and reorgs) until {@code done} holds, bounded; kills the sink's connections once. */
    static void streamUntil(
            AmpDevServer server, Connection c, boolean kill, long seconds, Condition done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int mined = 0;
        while (!done.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not reached within " + seconds + " s");
            }
            server.mine(1);
            if (++mined % 5 == 0) {
                server.reorg(2, 1);
            }
            if (kill && mined == 2) {
                killSinkConnections(c); // while the change is under way
            }
            Thread.sleep(100);
        }
    }

    @Test
    void tablesAreAddedChangedAndRemovedInsideTheRunningJob() throws Exception {
        try (AmpDevServer server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(40)
                        .txsPerBlock(2)
                        .logsPerTx(1)
                        .headMicrobatchBlocks(2)
                        .seed(5)
                        .dataset("graphprotocol/anvil@0.1.0")
                        .build()
                        .start()) {
            Path file = dir.resolve("nozzle.config.ts");
            Files.writeString(
                    file,
                    ManifestPlanITCase.manifest(
                            "ts",
                            tables(
                                    "blocks", "SELECT block_num, hash FROM anvil.blocks",
                                    "txs", "SELECT tx_index, tx_hash FROM anvil.transactions",
                                    "old_logs",
                                            "SELECT log_index, tx_hash, topic0 FROM anvil.logs")));
            ManifestSyncConfig config =
                    new ManifestSyncConfig()
                            .amp("http://localhost:" + server.flightPort(), null, null, 32)
                            .database(PG.jdbcUrl(), null, null, "public")
                            .sink(CommitMode.AUTO, 10, 128)
                            .parallelism(2)
                            .local(dir.resolve("state"), Duration.ofMillis(200))
                            .pollInterval(Duration.ofMillis(200));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
            ManifestSync sync = new ManifestSync(file, config, out, p -> {});
            ManifestPlan first = sync.initialPlan();
            String blocksSql = first.tables().get("blocks").sql();
            CompletableFuture<Void> running =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    sync.run(first);
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            try (Connection c = PG.connect()) {
                awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 120);
                server.mine(3);
                server.reorg(2, 1);
                awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 60);
                awaitExactlyCanonical(server, c, "transactions", "\"public\".\"txs\"", 60);
                awaitExactlyCanonical(server, c, "logs", "\"public\".\"old_logs\"", 60);
                long blocksXmin =
                        count(c, "SELECT xmin::text::bigint FROM blocks WHERE _block_num = 0");
                long txsXmin =
                        count(c, "SELECT min(xmin::text::bigint) FROM txs WHERE _block_num = 0");
                JobClient job = sync.jobClient();
                long[] blocksOpened = server.streamsOpened(blocksSql);
                String writers = writerSessions(c);

                // A bad edit is reported and ignored; the job keeps syncing the old version.
                writeAtomically(
                        file,
                        ManifestPlanITCase.manifest(
                                "ts",
                                tables("blocks", "SELECT hash FROM anvil.blocks ORDER BY hash")));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!console.toString(StandardCharsets.UTF_8).contains("not usable")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(console.toString(StandardCharsets.UTF_8))
                        .contains("The changed manifest is not usable")
                        .contains("Table 'blocks' cannot be streamed: its SQL has ORDER BY");
                assertThat(sync.reloads()).isZero();

                // The real edit, while blocks keep coming and the chain reorganizes.
                writeAtomically(
                        file,
                        ManifestPlanITCase.manifest(
                                "ts",
                                tables(
                                        "blocks", "SELECT block_num, hash FROM anvil.blocks",
                                        "txs",
                                                "SELECT tx_index, tx_hash, \"from\", \"to\" FROM"
                                                        + " anvil.transactions",
                                        "logs2",
                                                "SELECT log_index, tx_hash, topic0, address FROM"
                                                        + " anvil.logs")));
                streamUntil(
                        server,
                        c,
                        false,
                        180,
                        () -> sync.reloads() == 1 && hasColumn(c, "txs", "from"));
                awaitExactlyCanonical(server, c, "transactions", "\"public\".\"txs\"", 120);
                awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs2\"", 120);
                awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 120);

                // The unchanged table kept streaming in the same job: its stream was never
                // opened again (a savepoint switch resumes it on a new stream) and its rows are
                // the same row versions (nothing re-synced).
                assertThat(sync.jobClient()).isSameAs(job);
                assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS))
                        .isEqualTo(JobStatus.RUNNING);
                assertThat(writerSessions(c))
                        .as("the sink's writer sessions (a restarted job opens new ones)")
                        .isEqualTo(writers);
                // Opened again only if a Flight connection dropped (a reconnect resumes with a
                // cursor, see the log); never from the first block.
                assertThat(server.streamsOpened(blocksSql)[1])
                        .as("blocks streams opened from the first block")
                        .isEqualTo(blocksOpened[1]);
                assertThat(count(c, "SELECT xmin::text::bigint FROM blocks WHERE _block_num = 0"))
                        .isEqualTo(blocksXmin);
                // Changed: rebuilt from the first block with the new columns.
                assertThat(count(c, "SELECT min(xmin::text::bigint) FROM txs WHERE _block_num = 0"))
                        .isNotEqualTo(txsXmin);
                assertThat(count(c, "SELECT count(*) FROM txs WHERE \"from\" IS NULL")).isZero();
                long oldLogs = count(c, "SELECT count(*) FROM old_logs");

                // Another change while the sink's connections are killed: logs2 gets a column.
                writeAtomically(
                        file,
                        ManifestPlanITCase.manifest(
                                "ts",
                                tables(
                                        "blocks", "SELECT block_num, hash FROM anvil.blocks",
                                        "txs",
                                                "SELECT tx_index, tx_hash, \"from\", \"to\" FROM"
                                                        + " anvil.transactions",
                                        "logs2",
                                                "SELECT log_index, tx_hash, topic0, address, data"
                                                        + " FROM anvil.logs")));
                streamUntil(
                        server,
                        c,
                        true,
                        180,
                        () -> sync.reloads() == 2 && hasColumn(c, "logs2", "data"));
                for (int i = 1; i <= 8; i++) {
                    server.mine(1);
                    if (i % 4 == 0) {
                        server.reorg(3, 1);
                    }
                    if (i == 6) {
                        killSinkConnections(c);
                    }
                    Thread.sleep(100);
                }
                awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 120);
                awaitExactlyCanonical(server, c, "transactions", "\"public\".\"txs\"", 120);
                awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs2\"", 120);
                assertThat(count(c, "SELECT count(*) FROM logs2 WHERE data IS NULL")).isZero();
                // Removed: kept as it was, no longer synced.
                assertThat(count(c, "SELECT count(*) FROM old_logs")).isEqualTo(oldLogs);
                assertThat(oldLogs).isLessThan(server.digest("logs").rows());
                assertThat(sync.jobClient()).isSameAs(job);

                sync.requestStop();
                running.get(120, TimeUnit.SECONDS);
                assertThat(count(c, "SELECT count(*) FROM pg_prepared_xacts")).isZero();
            } finally {
                sync.requestStop();
                running.exceptionally(e -> null).get(120, TimeUnit.SECONDS);
            }
            assertThat(console.toString(StandardCharsets.UTF_8))
                    .contains(
                            "The manifest changed: 2 table(s) to rebuild [txs, logs2], 1 removed"
                                    + " [old_logs]")
                    .contains("The manifest changed: 1 table(s) to rebuild [logs2], 0 removed []");
        }
    }

    @Test
    void aChangeMadeWhileStoppedIsAppliedOnTheNextStart() throws Exception {
        try (AmpDevServer server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(20)
                        .txsPerBlock(1)
                        .logsPerTx(1)
                        .seed(9)
                        .build()
                        .start()) {
            Path file = dir.resolve("nozzle.config.json");
            Files.writeString(
                    file,
                    ManifestPlanITCase.manifest(
                            "json", tables("blocks", "SELECT block_num, hash FROM anvil.blocks")));
            ManifestSyncConfig config =
                    new ManifestSyncConfig()
                            .amp("http://localhost:" + server.flightPort(), null, null, 32)
                            .database(PG.jdbcUrl(), null, null, "public")
                            .sink(CommitMode.AUTO, 10, 128)
                            .parallelism(1)
                            .local(dir.resolve("state"), Duration.ofMillis(200));
            try (Connection c = PG.connect()) {
                runUntil(
                        config,
                        file,
                        () ->
                                awaitExactlyCanonical(
                                        server, c, "blocks", "\"public\".\"blocks\"", 120));
                Files.writeString(
                        file,
                        ManifestPlanITCase.manifest(
                                "json",
                                tables(
                                        "blocks", "SELECT block_num, hash, miner FROM anvil.blocks",
                                        "logs", "SELECT * FROM anvil.logs")));
                server.mine(5);
                ManifestPlan plan =
                        runUntil(
                                config,
                                file,
                                () -> {
                                    awaitExactlyCanonical(
                                            server, c, "blocks", "\"public\".\"blocks\"", 120);
                                    awaitExactlyCanonical(
                                            server, c, "logs", "\"public\".\"logs\"", 120);
                                });
                assertThat(plan.tables().get("blocks").change())
                        .isEqualTo(ManifestPlan.Change.CHANGED);
                assertThat(plan.tables().get("logs").change()).isEqualTo(ManifestPlan.Change.ADDED);
                assertThat(count(c, "SELECT count(*) FROM blocks WHERE miner IS NULL")).isZero();
                // Checkpoints without the registry would be ambiguous: refused.
                Files.delete(dir.resolve("state").resolve(ManifestRegistry.FILE));
                assertThatThrownBy(
                                () ->
                                        new ManifestSync(file, config, System.out, p -> {})
                                                .initialPlan())
                        .hasMessageContaining("holds checkpoints but no manifest-tables.json");
            }
        }
    }

    /**
     * Starts a sync, runs {@code check} against it, stops it with a savepoint; returns its plan.
     */
    private ManifestPlan runUntil(ManifestSyncConfig config, Path file, Check check)
            throws Exception {
        ManifestSync sync = new ManifestSync(file, config, System.out, p -> {});
        ManifestPlan plan = sync.initialPlan();
        CompletableFuture<Void> running =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                sync.run(plan);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        try {
            check.run();
        } finally {
            sync.requestStop();
            running.get(120, TimeUnit.SECONDS);
        }
        return plan;
    }

    /** A check that may throw. */
    private interface Check {
        void run() throws Exception;
    }

    /** A condition that may throw. */
    private interface Condition {
        boolean holds() throws Exception;
    }
}
