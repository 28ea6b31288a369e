package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshot, then streamed inserts, updates (one leaving a TOASTed column unchanged), deletes and a
 * column added at the source, through each merge strategy between two real databases: the target
 * must hold exactly what the strategy defines.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CdcMergeStrategiesITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    private CdcTestSupport t;
    private JobClient job;

    @BeforeEach
    void setUp() throws Exception {
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "CREATE TABLE users (id bigint PRIMARY KEY, name text, active boolean, bio"
                            + " text)",
                    // A large, incompressible value is stored out of line (TOAST).
                    "INSERT INTO users SELECT g, 'user ' || g, g % 2 = 0, (SELECT"
                        + " string_agg(md5(g::text || x::text), '') FROM generate_series(1, 200) x)"
                        + " FROM generate_series(1, 40) g");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        CdcTestSupport.stop(job);
        t.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"upsert", "delete_insert", "collapse", "append"})
    void snapshotThenStreaming(String strategy) throws Exception {
        PipelineSpec spec =
                t.load(
                        t.file(
                                "  - name: users_"
                                        + strategy
                                        + "\n"
                                        + "    source: {datastore: src, table: {table: users}}\n"
                                        + "    sink:\n"
                                        + "      datastore: dst\n"
                                        + "      table: users\n"
                                        + "      dbschema: analytics\n"
                                        + "      merge_strategy: {strategy: "
                                        + strategy
                                        + "}\n"
                                        + "      unique_key: [id]\n"));
        job = t.start(spec, 1, true); // a new column costs one restart
        String live = "SELECT id, name, active, md5(bio) FROM users ORDER BY id";
        awaitTarget(strategy, live);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "INSERT INTO users SELECT g, 'new ' || g, true, 'short' FROM"
                            + " generate_series(41, 50) g",
                    "UPDATE users SET name = name || ' (renamed)' WHERE id <= 10", // bio unchanged
                    "DELETE FROM users WHERE id BETWEEN 20 AND 24",
                    "UPDATE users SET bio = 'rewritten' WHERE id = 30");
        }
        awaitTarget(strategy, live);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "ALTER TABLE users ADD COLUMN score integer",
                    "UPDATE users SET score = id * 10 WHERE id > 40",
                    "INSERT INTO users VALUES (51, 'with score', false, 'x', 7)");
        }
        awaitTarget(strategy, "SELECT id, name, active, md5(bio), score FROM users ORDER BY id");
        if (strategy.equals("append")) {
            // One log row per change: 40 snapshot rows, 10 + 1 inserts, 10 + 1 + 10 updates, 5
            // deletes.
            CdcTestSupport.awaitEqual(
                    () -> java.util.List.of(java.util.List.<Object>of(77L)),
                    () -> t.rowsOf(t.target, "SELECT count(*) FROM analytics.users"),
                    Duration.ofSeconds(30));
        }
    }

    /** The target's current rows as the strategy defines them, compared to the source query. */
    private void awaitTarget(String strategy, String sourceSql) throws Exception {
        String columns = sourceSql.substring("SELECT ".length(), sourceSql.indexOf(" FROM"));
        String targetSql;
        switch (strategy) {
            case "collapse":
                targetSql =
                        "SELECT "
                                + columns
                                + " FROM analytics.users GROUP BY "
                                + columns
                                + " HAVING sum(_sign) <> 0 ORDER BY id";
                break;
            case "append":
                targetSql =
                        "SELECT "
                                + columns
                                + " FROM (SELECT DISTINCT ON (id) * FROM"
                                + " analytics.users ORDER BY id, _lsn DESC, _op = 'r') v WHERE _op"
                                + " <> 'd' ORDER BY id";
                break;
            default:
                targetSql = "SELECT " + columns + " FROM analytics.users ORDER BY id";
        }
        t.awaitEqual(sourceSql, targetSql, Duration.ofSeconds(60));
    }
}
