package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job with a pipeline per merge strategy (upsert, delete_insert, collapse, append) on the same
 * source table. After the snapshot, a random workload of 10.5k inserts, updates and deletes on 500
 * keys runs while failures are injected at random points: the sink's sessions and the replication
 * sessions are terminated by the server, and the TaskManager is killed and replaced. Each target
 * must then equal exactly what its strategy defines for the full change history (computed from the
 * changes the test made), stay so after a stop with savepoint, and no prepared transaction may be
 * left. Halfway, the source table gets a new column, which must reach every target. No session may
 * wait on a lock for more than a second, except while the restarted writers add that column.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CdcExactlyOnceITCase {

    static final List<String> STRATEGIES = List.of("upsert", "delete_insert", "collapse", "append");

    /** The batch before which the source table gets the column {@code score}. */
    static final int SCORE_ADDED = 50;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    private CdcTestSupport t;
    private JobClient job;
    private LockWaitMonitor locks;

    @AfterEach
    void tearDown() throws Exception {
        CdcTestSupport.stop(job);
        if (locks != null) {
            locks.close();
        }
        if (t != null) {
            t.close();
        }
    }

    @Test
    void randomWorkloadWithFailuresIsExactlyOnceForEveryStrategy(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        System.out.println("CdcExactlyOnceITCase seed " + seed + " (-Dsluice.test.seed=…)");
        Random random = new Random(seed);
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        ItemsModel model = new ItemsModel();
        try (Connection c = t.source()) {
            exec(
                    c,
                    ItemsModel.DDL,
                    "INSERT INTO items SELECT g, g, 'n' || g FROM generate_series(1, 300) g");
        }
        for (int id = 1; id <= 300; id++) {
            model.initial(id, id, "n" + id);
        }
        StringBuilder yaml = new StringBuilder();
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
        List<PipelineSpec> specs = t.loadAll(t.file(yaml.toString()));
        locks = new LockWaitMonitor(PG.server(), t.target);
        job = t.start(specs, 2, true);
        awaitTargets(model, Duration.ofSeconds(90)); // the snapshot is complete

        List<String> failures = new ArrayList<>();
        try (Connection c = t.source();
                PreparedStatement delete = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
            c.setAutoCommit(false);
            PreparedStatement upsert =
                    c.prepareStatement(
                            "INSERT INTO items VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                                    + " qty = EXCLUDED.qty, note = EXCLUDED.note");
            int changes = 0;
            for (int batch = 0; batch < 100; batch++) {
                if (batch == SCORE_ADDED) {
                    // A new source column: one more restart (see docs/pipelines.md).
                    exec(c, "ALTER TABLE items ADD COLUMN score int");
                    c.commit();
                    upsert.close();
                    upsert =
                            c.prepareStatement(
                                    "INSERT INTO items VALUES (?, ?, ?, ?) ON CONFLICT (id) DO"
                                            + " UPDATE SET qty = EXCLUDED.qty, note ="
                                            + " EXCLUDED.note, score = EXCLUDED.score");
                }
                for (int i = 0; i < 105; i++) {
                    int id = 1 + random.nextInt(500);
                    if (random.nextInt(5) == 0) {
                        delete.setInt(1, id);
                        delete.executeUpdate();
                        model.delete(id);
                    } else {
                        long qty = random.nextInt(1_000_000);
                        String note = "v" + batch + "-" + i;
                        upsert.setInt(1, id);
                        upsert.setLong(2, qty);
                        upsert.setString(3, note);
                        Integer score = batch < SCORE_ADDED ? null : random.nextInt(100);
                        if (score != null) {
                            upsert.setInt(4, score);
                        }
                        upsert.executeUpdate();
                        model.upsert(id, qty, note, score);
                    }
                    changes++;
                }
                c.commit();
                String failure = failureAt(batch, random);
                if (failure != null) {
                    inject(failure, cluster);
                    failures.add(batch + ":" + failure);
                }
                Thread.sleep(50);
            }
            upsert.close();
            assertThat(changes).isGreaterThanOrEqualTo(10_000);
        }
        System.out.println("CdcExactlyOnceITCase failures injected " + failures);
        awaitTargets(model, Duration.ofSeconds(150));

        job.stopWithSavepoint(
                        false,
                        dir.resolve("savepoint").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(90, TimeUnit.SECONDS);
        job = null;
        try (Connection c = t.target()) {
            for (String strategy : STRATEGIES) {
                assertThat(
                                ItemsModel.diff(
                                        model.expected(strategy),
                                        ItemsModel.actual(c, strategy, "public.items_" + strategy)))
                        .as("%s after the clean stop", strategy)
                        .isEmpty();
            }
            assertThat(
                            CdcTestSupport.rows(
                                    c,
                                    "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                            + " current_database()"))
                    .as("prepared transactions after the clean stop")
                    .isEmpty();
        }
        // Only the restarted writers' ADD COLUMN (lock_timeout 1 s, retried) may make others wait.
        assertThat(locks.reports())
                .as("lock waits of 2 s or more")
                .noneMatch(
                        r ->
                                r.matches(
                                        "(?s).*waited=(00:00:(0[2-9]|[1-5][0-9])|00:[0-5][1-9]:).*"));
    }

    /** Each kind of failure at least once, and a few more at random batches. */
    private static String failureAt(int batch, Random random) {
        switch (batch) {
            case 15:
                return "sink sessions";
            case 40:
                return "task manager";
            case 65:
                return "replication sessions";
            default:
                if (batch < 90 && random.nextInt(20) == 0) {
                    return List.of("sink sessions", "task manager", "replication sessions")
                            .get(random.nextInt(3));
                }
                return null;
        }
    }

    private void inject(String failure, MiniCluster cluster) throws Exception {
        switch (failure) {
            case "task manager":
                cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                cluster.startTaskManager();
                break;
            case "sink sessions":
                try (Connection admin = t.target()) {
                    exec(
                            admin,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname"
                                    + " = current_database() AND application_name LIKE"
                                    + " 'sluice-sink-%'");
                }
                break;
            case "replication sessions":
                try (Connection admin = t.source()) {
                    exec(
                            admin,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname"
                                    + " = current_database() AND backend_type = 'walsender'");
                }
                break;
            default:
                throw new IllegalArgumentException(failure);
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
