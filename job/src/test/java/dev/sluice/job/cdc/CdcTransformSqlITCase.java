package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder pipeline with {@code transform.sql}, {@code insert.sql}, {@code update.sql} and {@code
 * delete.sql}: the transform joins another table of the source database, the per-operation queries
 * see {@code new}, {@code old} (REPLICA IDENTITY FULL), {@code transformed} and {@code operation},
 * no result row skips a change, and every value is a bound parameter — a name with quotes, a {@code
 * '; DROP TABLE …} and parameter syntax arrives byte for byte and drops nothing.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CdcTransformSqlITCase {

    static final String EVIL = "O'Brien'); DROP TABLE tiers; -- :old.name \\' \" $$";

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    private CdcTestSupport t;
    private JobClient job;

    @AfterEach
    void tearDown() throws Exception {
        CdcTestSupport.stop(job);
        if (t != null) {
            t.close();
        }
    }

    @Test
    void perOperationSqlWithBoundNewOldAndTransformedReadingAnotherTable() throws Exception {
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "CREATE TABLE tiers (id int PRIMARY KEY, label text NOT NULL)",
                    "INSERT INTO tiers VALUES (1, 'gold'), (2, 'silver')",
                    "CREATE TABLE customers (id int PRIMARY KEY, name text, tier_id int)",
                    "ALTER TABLE customers REPLICA IDENTITY FULL",
                    "INSERT INTO customers VALUES (1, 'Ann', 1), (2, 'Bob', 2)");
        }
        Path folder = Files.createDirectories(dir.resolve("customers"));
        Files.writeString(
                folder.resolve("config.yaml"),
                "source: {datastore: src, table: {table: customers}}\n"
                        + "sink: {datastore: dst, table: customers_t, unique_key: [id]}\n");
        // Every change: look the tier up in another table; 'skip me' yields no row (skipped).
        Files.writeString(
                folder.resolve("transform.sql"),
                "SELECT coalesce(:new.id, :old.id) AS id, coalesce(:new.name, :old.name) AS name,"
                        + " (SELECT label FROM tiers WHERE id = :new.tier_id) AS tier\n"
                        + "WHERE coalesce(:new.name, '') <> 'skip me'\n");
        Files.writeString(
                folder.resolve("insert.sql"),
                "SELECT :transformed.id AS id, :transformed.name AS name, :transformed.tier AS"
                        + " tier, :operation AS how, NULL::text AS previous_name");
        Files.writeString(
                folder.resolve("update.sql"),
                "SELECT :transformed.id AS id, :transformed.name AS name, :transformed.tier AS"
                        + " tier, :operation AS how, :old.name AS previous_name");
        Files.writeString(
                folder.resolve("delete.sql"),
                "SELECT :old.id AS id, :transformed.name AS name, NULL::text AS tier, :operation"
                        + " AS how, :old.name AS previous_name");
        PipelineSpec spec = t.load(t.file("  - folder: customers\n"));
        assertThat(spec.name).isEqualTo("customers");
        job = t.start(spec, 1, false);
        String target = "SELECT id, name, tier, how, previous_name FROM customers_t ORDER BY id";
        awaitTarget(target, "1|Ann|gold|insert|null", "2|Bob|silver|insert|null");

        try (Connection c = t.source()) {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO customers VALUES (3, ?, 1)")) {
                ps.setString(1, EVIL);
                ps.executeUpdate();
            }
            exec(
                    c,
                    "INSERT INTO customers VALUES (4, 'skip me', 2), (5, 'temp', 2)",
                    "UPDATE customers SET name = 'Bobby', tier_id = 1 WHERE id = 2");
        }
        awaitTarget(
                target,
                "1|Ann|gold|insert|null",
                "2|Bobby|gold|update|Bob",
                "3|" + EVIL + "|gold|insert|null",
                "5|temp|silver|insert|null");

        try (Connection c = t.source()) {
            exec(
                    c,
                    // Not captured, but read by the next change's transform.
                    "UPDATE tiers SET label = 'platinum' WHERE id = 1",
                    "UPDATE customers SET name = 'Annie' WHERE id = 1",
                    "DELETE FROM customers WHERE id = 5",
                    "UPDATE customers SET name = 'skip me' WHERE id = 2"); // skipped: stays Bobby
        }
        awaitTarget(
                target,
                "1|Annie|platinum|update|Ann",
                "2|Bobby|gold|update|Bob",
                "3|" + EVIL + "|gold|insert|null");
        try (Connection c = t.source()) {
            assertThat(CdcTestSupport.rows(c, "SELECT count(*) FROM tiers"))
                    .containsExactly(List.of(2L));
        }
    }

    @Test
    void transformSqlCannotWrite() throws Exception {
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "CREATE TABLE tiers (id int PRIMARY KEY, label text NOT NULL)",
                    "INSERT INTO tiers VALUES (1, 'gold')",
                    "CREATE TABLE customers (id int PRIMARY KEY, name text)",
                    "INSERT INTO customers VALUES (1, 'Ann')");
        }
        PipelineSpec spec =
                t.load(
                        t.file(
                                "  - name: writer\n"
                                    + "    source: {datastore: src, table: {table: customers}}\n"
                                    + "    transform: {sql: \"WITH gone AS (DELETE FROM tiers"
                                    + " RETURNING id) SELECT :new.id AS id, (SELECT count(*) FROM"
                                    + " gone) AS n\"}\n"
                                    + "    sink: {datastore: dst, table: customers_t, unique_key:"
                                    + " [id]}\n"));
        job = t.start(spec, 1, false);
        Throwable failure = null;
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e;
        }
        assertThat(failure).as("a writing transform must fail the job").isNotNull();
        assertThat(org.apache.flink.util.ExceptionUtils.stringifyException(failure))
                .contains("read-only transaction");
        try (Connection c = t.source()) {
            assertThat(CdcTestSupport.rows(c, "SELECT count(*) FROM tiers"))
                    .containsExactly(List.of(1L));
        }
    }

    private void awaitTarget(String sql, String... rows) throws Exception {
        CdcTestSupport.awaitEqual(
                () -> List.of(List.<Object>of(List.of(rows))),
                () -> {
                    List<String> have = new ArrayList<>();
                    try (Connection c = t.target()) {
                        for (List<Object> r : CdcTestSupport.rows(c, sql)) {
                            StringBuilder b = new StringBuilder();
                            for (Object v : r) {
                                b.append(b.length() > 0 ? "|" : "").append(v);
                            }
                            have.add(b.toString());
                        }
                    }
                    return List.of(List.<Object>of(have));
                },
                Duration.ofSeconds(60));
    }
}
