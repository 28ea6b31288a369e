package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.testutils.SyncProcess;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CDC pipeline file as users run it locally: {@code sync --config pipelines.yaml} in its own JVM
 * (embedded Flink, state directory), killed with {@code kill -9} twice during a random workload,
 * restarted each time, then stopped with SIGTERM. The upsert and collapse targets must equal
 * exactly what the change history defines, no prepared transaction may be left, and the password,
 * given through {@code password_file}, must not appear in any log or console output.
 */
@Timeout(300)
class CdcLocalRunnerKillITCase {

    static final List<String> STRATEGIES = List.of("upsert", "collapse");
    static final String ROLE = "sluice_secret_it";
    static final int KILLS = 2;

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;
    private CdcTestSupport t;
    private Process process;
    private int runs;

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (t != null) {
            t.close();
        }
    }

    private Process startSync(Path config) throws Exception {
        return SyncProcess.start(
                dir,
                runs++,
                Map.of("SRC_PORT", String.valueOf(PG.server().port())),
                "--config",
                config.toString());
    }

    @Test
    void killedTwiceTheTargetsAreExactAndTheFileSecretIsInNoLog() throws Exception {
        long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        System.out.println("CdcLocalRunnerKillITCase seed " + seed);
        Random random = new Random(seed);
        long started = System.nanoTime();
        String secret = "pw-" + UUID.randomUUID();
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        ItemsModel model = new ItemsModel();
        try (Connection c = t.source()) {
            exec(
                    c,
                    "DO $$ BEGIN CREATE ROLE "
                            + ROLE
                            + " LOGIN SUPERUSER REPLICATION; EXCEPTION WHEN duplicate_object"
                            + " THEN NULL; END $$",
                    "ALTER ROLE " + ROLE + " PASSWORD '" + secret + "'",
                    ItemsModel.DDL,
                    "INSERT INTO items SELECT g, g, 'n' || g FROM generate_series(1, 200) g");
        }
        for (int id = 1; id <= 200; id++) {
            model.initial(id, id, "n" + id);
        }
        Files.writeString(dir.resolve("secret.txt"), secret + "\n");
        StringBuilder yaml =
                new StringBuilder(
                        "datastores:\n"
                                + "  - {name: src, type: postgres, host: localhost, port: \"{{"
                                + " env('SRC_PORT') }}\", database: "
                                + t.source
                                + ", username: "
                                + ROLE
                                + ", password_file: secret.txt}\n"
                                + "  - {name: dst, type: postgres, host: localhost, port: \"{{"
                                + " env('SRC_PORT') }}\", database: "
                                + t.target
                                + ", username: "
                                + ROLE
                                + ", password_file: secret.txt}\n"
                                + "pipelines:\n");
        for (String strategy : STRATEGIES) {
            yaml.append("  - name: items_")
                    .append(strategy)
                    .append("\n    source: {datastore: src, table: {table: items}}\n")
                    .append("    sink: {datastore: dst, table: items_")
                    .append(strategy)
                    .append(", unique_key: [id], merge_strategy: {strategy: ")
                    .append(strategy)
                    .append("}}\n");
        }
        Path config = dir.resolve("pipelines.yaml");
        Files.writeString(config, yaml);
        t.loadAll(config); // registers slots and publications for cleanup

        try (Connection src = t.source();
                Connection dst = t.target();
                PreparedStatement upsert =
                        src.prepareStatement(
                                "INSERT INTO items VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                                        + " qty = EXCLUDED.qty, note = EXCLUDED.note");
                PreparedStatement delete = src.prepareStatement("DELETE FROM items WHERE id = ?")) {
            src.setAutoCommit(false);
            int batch = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                process = startSync(config);
                if (kill == 0) {
                    // The snapshot first: changes made while it runs are folded into its rows.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (signedRows(dst) < 200 && System.nanoTime() < deadline) {
                        assertThat(process.isAlive()).as("sync alive, see " + dir).isTrue();
                        Thread.sleep(200);
                    }
                }
                long before = signedRows(dst);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                // Changes keep coming; once this run committed some, kill it mid-flight.
                while (signedRows(dst) <= before + 20 && System.nanoTime() < deadline) {
                    assertThat(process.isAlive()).as("sync alive, see " + dir).isTrue();
                    workload(src, upsert, delete, model, random, batch++);
                    Thread.sleep(100);
                }
                assertThat(signedRows(dst)).as("run %d committed rows", kill).isGreaterThan(before);
                for (int i = 0, n = 2 + random.nextInt(8); i < n; i++) {
                    workload(src, upsert, delete, model, random, batch++);
                    Thread.sleep(30);
                }
                process.destroyForcibly(); // SIGKILL
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                log(started, "run " + kill + " killed after batch " + batch);
                workload(src, upsert, delete, model, random, batch++); // while it is down
            }
            process = startSync(config);
            for (int i = 0; i < 10; i++) {
                workload(src, upsert, delete, model, random, batch++);
                Thread.sleep(50);
            }
            awaitTargets(model, Duration.ofSeconds(120));
            log(started, "targets exact");

            process.destroy(); // SIGTERM: stop with a final savepoint
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("clean stop, see " + dir).isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("run-" + KILLS + ".out")))
                    .contains("Savepoint written to");
            log(started, "stopped with a savepoint");
            for (String strategy : STRATEGIES) {
                assertThat(
                                ItemsModel.diff(
                                        model.expected(strategy),
                                        ItemsModel.actual(
                                                dst, strategy, "public.items_" + strategy)))
                        .as("%s after the clean stop", strategy)
                        .isEmpty();
            }
            assertThat(
                            CdcTestSupport.rows(
                                    dst,
                                    "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                            + " current_database()"))
                    .isEmpty();
        }
        // The password was used by every connection, but it is in no output of any run.
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> outputs =
                    files.filter(
                                    p ->
                                            p.getFileName().toString().endsWith(".log")
                                                    || p.getFileName().toString().endsWith(".out"))
                            .toList();
            assertThat(outputs).hasSize(2 * (KILLS + 1));
            for (Path p : outputs) {
                assertThat(Files.readString(p)).as("%s", p).isNotEmpty().doesNotContain(secret);
            }
        }
    }

    private static void log(long started, String what) {
        System.out.printf(
                "CdcLocalRunnerKillITCase %s at %d s%n",
                what, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private static void workload(
            Connection c,
            PreparedStatement upsert,
            PreparedStatement delete,
            ItemsModel model,
            Random random,
            int batch)
            throws Exception {
        for (int i = 0; i < 40; i++) {
            int id = 1 + random.nextInt(300);
            if (random.nextInt(5) == 0) {
                delete.setInt(1, id);
                delete.executeUpdate();
                model.delete(id);
            } else {
                long qty = random.nextInt(1_000_000);
                String note = "k" + batch + "-" + i;
                upsert.setInt(1, id);
                upsert.setLong(2, qty);
                upsert.setString(3, note);
                upsert.executeUpdate();
                model.upsert(id, qty, note);
            }
        }
        c.commit();
    }

    private static long signedRows(Connection c) {
        try {
            Object n = CdcTestSupport.rows(c, "SELECT count(*) FROM items_collapse").get(0).get(0);
            return n instanceof Number ? ((Number) n).longValue() : 0; // else: not created yet
        } catch (Exception e) {
            return 0;
        }
    }

    private void awaitTargets(ItemsModel model, Duration timeout) throws Exception {
        for (String strategy : STRATEGIES) {
            CdcTestSupport.awaitEqual(
                    () -> List.of(),
                    () -> {
                        try (Connection c = t.target()) {
                            String diff =
                                    ItemsModel.diff(
                                            model.expected(strategy),
                                            ItemsModel.actual(
                                                    c, strategy, "public.items_" + strategy));
                            return diff.isEmpty()
                                    ? List.of()
                                    : List.of(List.<Object>of(strategy + ": " + diff));
                        }
                    },
                    timeout);
        }
    }
}
