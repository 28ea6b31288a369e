package dev.sluice.job.enrich;

import static dev.sluice.job.enrich.HttpLookupITCase.linked;
import static dev.sluice.job.enrich.HttpLookupITCase.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.DataType;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.testutils.PostgresExtension;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SQL lookups against a real PostgreSQL database per test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqlLookupITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final String SECRET = "pg-secret-321";
    private static final Map<String, String> ROW_TYPES =
            linked("id", "int4", "name", "text", "block_num", "int8");

    private final List<Lookup> lookups = new ArrayList<>();
    private final CapturingMetricGroup metrics = new CapturingMetricGroup();

    @BeforeEach
    void createTable() throws Exception {
        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE users (id int PRIMARY KEY, name text, score numeric,"
                            + " born date, tags jsonb)");
            s.execute(
                    "INSERT INTO users VALUES (1, 'Ann', 1.50, '1990-01-02', '[\"a\"]'),"
                            + " (2, 'Bob', 3, NULL, NULL)");
        }
    }

    @AfterEach
    void close() throws Exception {
        for (Lookup l : lookups) {
            l.close();
        }
    }

    private Datastore store() {
        return LookupSpecs.postgres(
                PG.server().host(),
                PG.server().port(),
                PG.database(),
                PG.server().user(),
                PG.server().password() == null || PG.server().password().isEmpty()
                        ? SECRET
                        : PG.server().password());
    }

    private Lookup open(EnrichmentSpec spec) throws Exception {
        Lookup l = new Lookup(spec, ROW_TYPES);
        lookups.add(l);
        l.open(metrics);
        return l;
    }

    private static LookupResult get(CompletableFuture<LookupResult> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void describeGivesTheResultColumnsAndTheirTypes() throws Exception {
        EnrichmentSpec all =
                LookupSpecs.sql(store(), "SELECT name, score, born FROM users WHERE id = :id")
                        .build();
        EnrichmentSpec mapped =
                LookupSpecs.sql(store(), "SELECT name, score, born FROM users WHERE id = :id")
                        .out("who", "name")
                        .out("score_text", "score", DataType.STR)
                        .build();

        assertThat(Lookup.describe(all, ROW_TYPES))
                .containsExactly(
                        Map.entry("name", "text"),
                        Map.entry("score", "numeric"),
                        Map.entry("born", "date"));
        assertThat(Lookup.describe(mapped, ROW_TYPES))
                .containsExactly(Map.entry("who", "text"), Map.entry("score_text", "text"));
        assertThat(Lookup.columnsRead(all)).containsExactly("id");
    }

    @Test
    void theFirstRowIsTheAnswerAndNoRowGivesNulls() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "SELECT name, score, born, tags FROM users WHERE id ="
                                                + " :id OR name = :name ORDER BY id")
                                .build());

        LookupResult ann = get(l.lookup(row("id", 1, "name", "Bob"), -1));
        LookupResult none = get(l.lookup(row("id", 99, "name", "Nobody"), -1));

        assertThat(ann.failed()).as(ann.toString()).isFalse();
        assertThat(ann.values())
                .containsEntry("name", "Ann")
                .containsEntry("score", new BigDecimal("1.50"))
                .containsEntry("born", LocalDate.of(1990, 1, 2));
        assertThat(String.valueOf(ann.values().get("tags"))).isEqualTo("[\"a\"]");
        assertThat(none.failed()).isFalse();
        assertThat(none.values()).containsOnlyKeys("name", "score", "born", "tags");
        assertThat(none.values().values()).containsOnlyNulls();
    }

    @Test
    void outputsAreMappedAndCoerced() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(store(), "SELECT name, score FROM users WHERE id = :id")
                                .out("who", "name")
                                .out("score_int", "score", DataType.INT)
                                .out("score_text", "score", DataType.STR)
                                .build());

        LookupResult bob = get(l.lookup(row("id", 2), -1));
        LookupResult ann = get(l.lookup(row("id", 1), -1));

        assertThat(bob.values())
                .containsExactly(
                        Map.entry("who", "Bob"),
                        Map.entry("score_int", 3L),
                        Map.entry("score_text", "3"));
        assertThat(ann.failed()).isTrue();
        assertThat(ann.error()).contains("lk_sql", "score_int", "1.50", "int");
        assertThat(metrics.count("lookup.lk_sql.retries")).isZero();
    }

    @Test
    void valuesAreBoundNeverPastedAndLiteralsCommentsAndCastsAreNotParameters() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "SELECT name, ':nope' AS lit, id::text AS id_text,"
                                                + " \":x\".n AS quoted FROM users,"
                                                + " (SELECT 1 AS n) \":x\" /* :c1 */"
                                                + " WHERE name = :name -- :c2")
                                .build());

        LookupResult injected = get(l.lookup(row("name", "x' OR '1'='1"), -1));
        LookupResult bob = get(l.lookup(row("name", "Bob"), -1));

        assertThat(injected.values().values()).containsOnlyNulls();
        assertThat(bob.values())
                .containsEntry("name", "Bob")
                .containsEntry("lit", ":nope")
                .containsEntry("id_text", "2")
                .containsEntry("quoted", 1);
        assertThat(
                        Lookup.columnsRead(
                                LookupSpecs.sql(store(), "SELECT :a, ':b', :a::text -- :c")
                                        .build()))
                .containsExactly("a");
    }

    @Test
    void aNullParameterBindsSqlNull() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "SELECT coalesce(:name, 'none') AS name, :id IS NULL AS"
                                                + " missing")
                                .build());
        java.util.HashMap<String, Object> r = new java.util.HashMap<>();
        r.put("id", null);
        r.put("name", null);

        assertThat(get(l.lookup(r, -1)).values())
                .containsEntry("name", "none")
                .containsEntry("missing", true);
    }

    @Test
    void ampRowValuesAreBound() throws Exception {
        Map<String, String> types = linked("ts", "timestamptz", "big", "numeric", "addr", "bytea");
        EnrichmentSpec spec =
                LookupSpecs.sql(
                                store(),
                                "SELECT :ts AT TIME ZONE 'UTC' AS ts, :big + 1 AS big,"
                                        + " encode(:addr, 'hex') AS addr")
                        .build();
        assertThat(Lookup.describe(spec, types))
                .containsExactly(
                        Map.entry("ts", "timestamp"),
                        Map.entry("big", "numeric"),
                        Map.entry("addr", "text"));
        Lookup l = new Lookup(spec, types);
        lookups.add(l);
        l.open(metrics);

        LookupResult r =
                get(
                        l.lookup(
                                row(
                                        "ts",
                                        java.time.Instant.parse("2024-05-06T07:08:09Z"),
                                        "big",
                                        new java.math.BigInteger("123456789012345678901234567890"),
                                        "addr",
                                        new byte[] {1, (byte) 0xab}),
                                -1));

        assertThat(r.failed()).as(r.toString()).isFalse();
        assertThat(r.values())
                .containsEntry("ts", java.time.LocalDateTime.parse("2024-05-06T07:08:09"))
                .containsEntry("big", new BigDecimal("123456789012345678901234567891"))
                .containsEntry("addr", "01ab");
    }

    @Test
    void queriesRunReadOnly() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "WITH d AS (DELETE FROM users WHERE id = :id RETURNING"
                                                + " name) SELECT name FROM d")
                                .build());

        LookupResult r = get(l.lookup(row("id", 1), -1));

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("lk_sql", "read-only", "25006");
        assertThat(metrics.count("lookup.lk_sql.retries")).isZero();
        try (Connection c = PG.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void aTimedOutQueryIsCancelledAndRetried() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "SELECT name FROM users, LATERAL (SELECT"
                                                + " pg_advisory_xact_lock_shared(42)) l WHERE id"
                                                + " = :id")
                                .timeout(Duration.ofSeconds(1))
                                .retries(20)
                                .backoff(Duration.ofMillis(10))
                                .build());
        CompletableFuture<LookupResult> answer;
        try (Connection holder = PG.connect();
                Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(42)");
            answer = l.lookup(row("id", 1), -1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (metrics.count("lookup.lk_sql.retries") < 1) {
                assertThat(System.nanoTime()).as("a retry within 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            s.execute("SELECT pg_advisory_unlock(42)");
        }

        LookupResult r = get(answer);

        assertThat(r.failed()).as(r.toString()).isFalse();
        assertThat(r.values()).containsEntry("name", "Ann");
    }

    @Test
    void retriesExhaustedGiveAFailedResult() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(
                                        store(),
                                        "SELECT name FROM users, LATERAL (SELECT"
                                                + " pg_advisory_xact_lock_shared(43)) l WHERE id"
                                                + " = :id")
                                .timeout(Duration.ofMillis(500))
                                .retries(1)
                                .build());
        LookupResult r;
        try (Connection holder = PG.connect();
                Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(43)");
            r = get(l.lookup(row("id", 1), -1));
        }

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("lk_sql", "failed after 2 attempts", "500 ms");
        assertThat(metrics.count("lookup.lk_sql.failures")).isEqualTo(1);
        assertThat(metrics.count("lookup.lk_sql.retries")).isEqualTo(1);
    }

    @Test
    void aLostConnectionIsReopened() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(store(), "SELECT name FROM users WHERE id = :id")
                                .retries(3)
                                .build());
        assertThat(get(l.lookup(row("id", 1), -1)).values()).containsEntry("name", "Ann");

        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                            + " application_name = 'sluice lookup lk_sql'");
        }
        LookupResult again = get(l.lookup(row("id", 2), -1));

        assertThat(again.failed()).as(again.toString()).isFalse();
        assertThat(again.values()).containsEntry("name", "Bob");
    }

    @Test
    void cachedAnswersAreReused() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.sql(store(), "SELECT name FROM users WHERE id = :id")
                                .cache(10, Duration.ofMinutes(5))
                                .build());

        get(l.lookup(row("id", 1, "block_num", 5L), 5));
        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            s.execute("UPDATE users SET name = 'Anna' WHERE id = 1");
        }
        LookupResult cached = get(l.lookup(row("id", 1), 6));
        l.rollback(5);
        LookupResult fresh = get(l.lookup(row("id", 1), 5));

        assertThat(cached.values()).containsEntry("name", "Ann");
        assertThat(fresh.values()).containsEntry("name", "Anna");
        assertThat(metrics.count("lookup.lk_sql.cacheHits")).isEqualTo(1);
        assertThat(metrics.count("lookup.lk_sql.cacheMisses")).isEqualTo(2);
    }

    @Test
    void describeNamesWhatIsWrong() {
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.sql(
                                                        store(),
                                                        "SELECT name FROM users WHERE id = :uid")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_sql")
                .hasMessageContaining(":uid")
                .hasMessageContaining("id, name, block_num");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.sql(
                                                        store(),
                                                        "SELECT nope FROM users WHERE id = :id")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_sql")
                .hasMessageContaining("does not prepare")
                .hasMessageContaining("nope")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.sql(store(), "SELECT name FROM users")
                                                .out("who", "full_name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("full_name")
                .hasMessageContaining("returns name");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.sql(store(), "SELECT :new.id").build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("unknown parameter :new.id");
        Datastore nowhere = LookupSpecs.postgres("127.0.0.1", 1, "db", "u", SECRET);
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.sql(nowhere, "SELECT 1").build(), ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_sql")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }
}
