package dev.sluice.job;

import static dev.sluice.job.testutils.TargetChecks.awaitExactlyCanonical;
import static dev.sluice.job.testutils.TargetChecks.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.testutils.SyncProcess;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product as users run it locally: {@code sync-job.jar sync} in its own JVM, killed with {@code
 * kill -9} three times while the chain grows and reorganises, restarted each time from its state
 * directory, then stopped with SIGTERM. The target must equal the canonical chain exactly and no
 * prepared transaction may be left behind.
 */
@Timeout(300)
class LocalRunnerKillITCase {

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

    private Process startSync() throws Exception {
        return SyncProcess.start(
                dir,
                runs++,
                Map.of(),
                "--dataset",
                "_/anvil@latest",
                "--tables",
                "blocks,logs",
                "--amp-flight-addr",
                "http://localhost:" + server.flightPort(),
                "--database-url",
                PG.jdbcUrl());
    }

    @Test
    void killedThreeTimesAndRestartedTheTargetIsExactlyTheChain() throws Exception {
        server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(400)
                        .txsPerBlock(4)
                        .logsPerTx(3)
                        .headMicrobatchBlocks(2)
                        .seed(5)
                        .build()
                        .start();
        try (Connection c = PG.connect()) {
            for (int kill = 0; kill < 3; kill++) {
                process = startSync();
                long rowsBefore = rows(c);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                // Let it commit something new, keep the chain moving, then kill it mid-flight.
                while (rows(c) <= rowsBefore && System.nanoTime() < deadline) {
                    assertThat(process.isAlive()).as("sync process alive, see " + dir).isTrue();
                    server.mine(1);
                    Thread.sleep(200);
                }
                assertThat(rows(c)).as("run %d committed rows", kill).isGreaterThan(rowsBefore);
                for (int i = 0; i < 5; i++) {
                    server.mine(1);
                    Thread.sleep(60);
                }
                server.reorg(2 + kill, 1);
                process.destroyForcibly(); // SIGKILL
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            process = startSync();
            awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 120);
            awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs\"", 120);

            process.destroy(); // SIGTERM: stop with a final savepoint
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("clean stop, see " + dir).isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("run-3.out"))).contains("Savepoint written to");
            awaitExactlyCanonical(server, c, "blocks", "\"public\".\"blocks\"", 5);
            awaitExactlyCanonical(server, c, "logs", "\"public\".\"logs\"", 5);
            assertThat(
                            count(
                                    c,
                                    "SELECT count(*) FROM pg_prepared_xacts WHERE database ="
                                            + " current_database()"))
                    .isZero();
        }
    }

    private static long rows(Connection c) {
        try {
            return count(c, "SELECT count(*) FROM logs");
        } catch (Exception e) {
            return 0; // not created yet
        }
    }
}
