package dev.sluice.job.manifest;

import static dev.sluice.job.testutils.TargetChecks.awaitExactlyCanonical;
import static dev.sluice.job.testutils.TargetChecks.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.testutils.SyncProcess;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest change applied by {@code sync-job.jar sync --manifest} in its own JVM, killed with
 * {@code kill -9} (JobManager and TaskManager at once) twice while the change is under way — once
 * right after the JobManager planned it (old streams being stopped, the new one held back), once
 * right after the changed table was replaced — and restarted from its state directory each time.
 * The tables must end exactly equal to the canonical chain, the removed one no longer growing, and
 * no prepared transaction left behind.
 */
@Timeout(400)
class ManifestKillITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;
    private AmpDevServer server;
    private Process process;
    private int runs;

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private Process startSync(Path manifest) throws Exception {
        return SyncProcess.start(
                dir,
                runs++,
                Map.of(),
                "--manifest",
                manifest.toString(),
                "--amp-flight-addr",
                "http://localhost:" + server.flightPort(),
                "--database-url",
                PG.jdbcUrl());
    }

    private void kill() throws Exception {
        process.destroyForcibly(); // SIGKILL
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Mines (and reorgs) until {@code done} holds, bounded; the process must stay alive. */
    private void streamUntil(long seconds, Condition done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int mined = 0;
        while (!done.holds()) {
            assertThat(System.nanoTime())
                    .as("reached within %d s, see %s", seconds, dir)
                    .isLessThan(deadline);
            assertThat(process.isAlive()).as("sync process alive, see " + dir).isTrue();
            server.mine(1);
            if (++mined % 4 == 0) {
                server.reorg(2, 1);
            }
            Thread.sleep(150);
        }
    }

    @Test
    void killedTwiceWhileAChangeIsAppliedEveryTableEndsExact() throws Exception {
        server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(150)
                        .txsPerBlock(2)
                        .logsPerTx(1)
                        .headMicrobatchBlocks(2)
                        .seed(11)
                        .dataset("graphprotocol/anvil@0.1.0")
                        .build()
                        .start();
        Path file = dir.resolve("nozzle.config.json");
        Files.writeString(
                file,
                ManifestPlanITCase.manifest(
                        "json",
                        ManifestReloadITCase.tables(
                                "blocks", "SELECT block_num, hash FROM anvil.blocks",
                                "txs", "SELECT tx_index, tx_hash FROM anvil.transactions",
                                "old_logs", "SELECT log_index, tx_hash, topic0 FROM anvil.logs")));
        Path registry = dir.resolve("state").resolve(ManifestRegistry.FILE);
        try (Connection c = PG.connect()) {
            process = startSync(file);
            awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 120);
            awaitExactlyCanonical(server, c, "logs", "\"public\".\"old_logs\"", 120);

            Path tmp = dir.resolve("edit.tmp");
            Files.writeString(
                    tmp,
                    ManifestPlanITCase.manifest(
                            "json",
                            ManifestReloadITCase.tables(
                                    "blocks", "SELECT block_num, hash FROM anvil.blocks",
                                    "txs",
                                            "SELECT tx_index, tx_hash, \"from\" FROM"
                                                    + " anvil.transactions",
                                    "logs2", "SELECT log_index, tx_hash, topic0 FROM anvil.logs")));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            // Planned by the JobManager: old streams are being stopped, txs#2 is held.
            streamUntil(120, () -> Files.readString(registry).contains("logs2"));
            kill();

            process = startSync(file);
            streamUntil(
                    180,
                    () ->
                            count(
                                            c,
                                            "SELECT count(*) FROM information_schema.columns"
                                                    + " WHERE table_name = 'txs' AND column_name"
                                                    + " = 'from'")
                                    > 0);
            kill(); // the replacement committed, the re-sync of txs under way
            long oldLogs = count(c, "SELECT count(*) FROM old_logs");
            server.reorg(3, 2);

            process = startSync(file);
            awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 180);
            awaitExactlyCanonical(server, c, "transactions", "\"public\".\"txs\"", 180);
            awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs2\"", 180);
            assertThat(count(c, "SELECT count(*) FROM txs WHERE \"from\" IS NULL")).isZero();
            assertThat(count(c, "SELECT count(*) FROM old_logs")).isEqualTo(oldLogs);

            process.destroy(); // SIGTERM: stop with a final savepoint
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("clean stop, see " + dir).isTrue();
            assertThat(process.exitValue()).isZero();
            awaitExactlyCanonical(server, c, "transactions", "\"public\".\"txs\"", 5);
            awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs2\"", 5);
            assertThat(
                            count(
                                    c,
                                    "SELECT count(*) FROM pg_prepared_xacts WHERE database ="
                                            + " current_database()"))
                    .isZero();
        }
    }

    /** A condition that may throw. */
    private interface Condition {
        boolean holds() throws Exception;
    }
}
