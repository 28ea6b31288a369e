package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A column added at the source while changes keep flowing into two sink subtasks: the target gets
 * the column and every row (the writer that meets the column first records it and fails; the
 * restarted writers add it before writing), and no session waits on a lock for long.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CdcAddColumnITCase {

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
    void columnAddedUnderLoadReachesTheTargetWithTwoSubtasks() throws Exception {
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        try (Connection c = t.source()) {
            exec(
                    c,
                    ItemsModel.DDL,
                    "INSERT INTO items SELECT g, g, 'n' || g FROM generate_series(1, 100) g");
        }
        PipelineSpec spec =
                t.load(
                        t.file(
                                "  - name: items_add\n"
                                        + "    source: {datastore: src, table: {table: items}}\n"
                                        + "    sink: {datastore: dst, table: items_add,"
                                        + " unique_key: [id]}\n"));
        locks = new LockWaitMonitor(PG.server(), t.target);
        job = t.start(spec, 2, true);
        t.awaitEqual(
                "SELECT id, qty, note FROM items ORDER BY id",
                "SELECT id, qty, note FROM items_add ORDER BY id",
                Duration.ofSeconds(60));
        Random random = new Random(7);
        long start = System.nanoTime();
        try (Connection c = t.source()) {
            for (int batch = 0; batch < 60; batch++) {
                if (batch == 20) {
                    exec(c, "ALTER TABLE items ADD COLUMN score int");
                }
                try (PreparedStatement ps =
                        c.prepareStatement(
                                batch < 20
                                        ? "UPDATE items SET qty = qty + 1 WHERE id = ?"
                                        : "UPDATE items SET qty = qty + 1, score = ? * 10 WHERE"
                                                + " id = ?")) {
                    for (int i = 0; i < 20; i++) {
                        int id = 1 + random.nextInt(100);
                        ps.setInt(1, id);
                        if (batch >= 20) {
                            ps.setInt(2, id);
                        }
                        ps.executeUpdate();
                    }
                }
                Thread.sleep(50);
            }
        }
        t.awaitEqual(
                "SELECT id, qty, note, score FROM items ORDER BY id",
                "SELECT id, qty, note, score FROM items_add ORDER BY id",
                Duration.ofSeconds(90));
        System.out.println(
                "CdcAddColumnITCase converged after "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)
                        + " s");
        // The restarted writers add the column in the gap they leave: lock waits are short.
        assertThat(locks.reports())
                .allSatisfy(r -> assertThat(r).doesNotContain("waited=00:00:0" + "5"));
    }
}
