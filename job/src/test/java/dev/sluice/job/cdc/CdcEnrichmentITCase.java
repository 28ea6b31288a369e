package dev.sluice.job.cdc;

import static dev.sluice.job.cdc.CdcTestSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.job.config.PipelineSpec;
import dev.sluice.testutils.PostgresExtension;
import dev.sluice.testutils.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
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
 * A CDC pipeline enriched by all three lookup types — HTTP (with a bearer token), Redis and SQL —
 * plus a computed field and a filter, under a random workload while the TaskManager is killed and
 * the sink's sessions are terminated. Lookups are pure functions of the row, so the expected target
 * follows from the source: afterwards the target equals it exactly, the dead-letter table holds
 * exactly one row per change whose {@code on_error: dead_letter} lookup failed, a failing {@code
 * on_error: null} lookup left nulls, and nothing stays prepared.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CdcEnrichmentITCase {

    static final String TOKEN = "s3cret-" + UUID.randomUUID();

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
    private HttpServer http;
    private RedisClient redis;
    private final String prefix = "sluice-test-" + UUID.randomUUID() + ":";
    private final AtomicInteger unauthorized = new AtomicInteger();

    @AfterEach
    void tearDown() throws Exception {
        CdcTestSupport.stop(job);
        if (t != null) {
            t.close();
        }
        if (http != null) {
            http.stop(0);
        }
        if (redis != null) {
            try (StatefulRedisConnection<String, String> c = redis.connect()) {
                List<String> keys = c.sync().keys(prefix + "*");
                if (!keys.isEmpty()) {
                    c.sync().del(keys.toArray(new String[0]));
                }
            }
            redis.shutdown();
        }
    }

    static int score(int id) {
        return (id * 37) % 850;
    }

    static String tier(int id) {
        return id % 3 == 0 ? "gold" : id % 3 == 1 ? "silver" : null;
    }

    static int orders(int id) {
        return id % 5;
    }

    @Test
    void lookupsOfEveryKindAreExactlyOnceUnderFailures(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String redisUrl = TestRedis.url();
        redis = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> c = redis.connect()) {
            for (int id = 1; id <= 400; id++) {
                if (tier(id) != null) {
                    c.sync().hset(prefix + "user:" + id, Map.of("tier", tier(id), "x", "y"));
                }
            }
        }
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/creditscore", ex -> answer(ex, "user_id", "score"));
        http.createContext("/badge", ex -> answer(ex, "user", "badge"));
        http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        http.start();

        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        Random random = new Random(11);
        Map<Integer, String> live = new TreeMap<>();
        List<String> deadLetters = new ArrayList<>();
        try (Connection c = t.source()) {
            exec(
                    c,
                    "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)",
                    "CREATE TABLE orders (user_id int NOT NULL, amount int NOT NULL)",
                    "INSERT INTO orders SELECT u, a FROM generate_series(1, 400) u,"
                            + " generate_series(1, 4) a WHERE a <= u % 5");
            for (int id = 1; id <= 100; id++) {
                insert(c, id, "user " + id, live, deadLetters);
            }
        }
        String yaml =
                Files.readString(t.file(""))
                                .replace(
                                        "pipelines:\n",
                                        "  - {name: cache, type: redis, url: \""
                                                + redisUrl
                                                + "\"}\n"
                                                + "  - {name: scoring, type: http, url:"
                                                + " \"http://127.0.0.1:"
                                                + http.getAddress().getPort()
                                                + "\", auth_token: \"{{ env('SCORING_TOKEN')"
                                                + " }}\"}\n"
                                                + "pipelines:\n")
                        + "  - name: users\n"
                        + "    source: {datastore: src, table: {table: users}}\n"
                        + "    enrichment:\n"
                        + "      - {name: score, type: http, datastore: scoring,"
                        + " path: \"/creditscore?user_id={{ id }}\","
                        + " output: {credit_score: {from: \"$.score\", dtype: int}},"
                        + " on_error: dead_letter, retries: 1, backoff: 10ms}\n"
                        + "      - {name: badge, type: http, datastore: scoring,"
                        + " path: \"/badge?user={{ id }}\", output: {badge: \"$.badge\"},"
                        + " on_error: \"null\", retries: 2, backoff: 10ms}\n"
                        + "      - {name: profile, type: redis, datastore: cache,"
                        + " key: \""
                        + prefix
                        + "user:{{ id }}\", output: {tier: tier}}\n"
                        + "      - {name: orders, type: sql, datastore: src,"
                        + " sql: \"SELECT count(*) AS order_count FROM orders WHERE user_id ="
                        + " :id\"}\n"
                        + "    fields:\n"
                        + "      - {column: id}\n"
                        + "      - {column: name}\n"
                        + "      - {column: credit_score}\n"
                        + "      - {column: badge}\n"
                        + "      - {column: tier}\n"
                        + "      - {column: order_count}\n"
                        + "      - {column: vip, source_column: \"order_count > 2 ? 1 : 0\"}\n"
                        + "    filter: \"name != 'hidden'\"\n"
                        + "    sink: {datastore: dst, table: users_enriched, unique_key: [id]}\n";
        Path file = dir.resolve("pipelines.yaml");
        Files.writeString(file, yaml);
        Map<String, String> env = new java.util.HashMap<>(t.env());
        env.put("SCORING_TOKEN", TOKEN);
        PipelineSpec spec =
                new dev.sluice.job.config.PipelineFileLoader(env).load(file).pipelines.get(0);
        t.slots.add(spec.slotName);
        t.publications.add(spec.publication);
        job = t.start(spec, 2, true);
        // The snapshot reads each row's state, not its history: change rows only once it is in.
        List<List<Object>> snapshotDead = new ArrayList<>();
        deadLetters.stream().sorted().forEach(d -> snapshotDead.add(List.of(d)));
        CdcTestSupport.awaitEqual(
                () -> snapshotDead,
                () ->
                        sorted(
                                t.rowsOf(
                                        t.target,
                                        "SELECT (\"row\"->>'id') || '|' || (\"row\"->>'name')"
                                                + " FROM users_enriched_dead_letter")),
                Duration.ofSeconds(60));
        assertThat(t.rowsOf(t.target, "SELECT count(*) FROM users_enriched"))
                .containsExactly(List.of(90L));

        int nextId = 101;
        int failures = 0;
        for (int round = 1; round <= 6; round++) {
            try (Connection c = t.source()) {
                for (int i = 0; i < 30 && nextId <= 400; i++) {
                    insert(c, nextId, "user " + nextId, live, deadLetters);
                    nextId++;
                }
                List<Integer> ids = new ArrayList<>(live.keySet());
                for (int i = 0; i < 20; i++) {
                    int id = ids.get(random.nextInt(ids.size()));
                    String name = random.nextInt(6) == 0 ? "hidden" : "renamed " + round + "/" + i;
                    exec(c, "UPDATE users SET name = '" + name + "' WHERE id = " + id);
                    live.put(id, name);
                    if (id % 10 == 3) {
                        deadLetters.add(id + "|" + name);
                    }
                }
                for (int i = 0; i < 5; i++) {
                    int id = ids.get(random.nextInt(ids.size()));
                    if (live.remove(id) != null) {
                        exec(c, "DELETE FROM users WHERE id = " + id);
                    }
                }
            }
            Thread.sleep(400);
            if (round == 2 || round == 5) {
                cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                cluster.startTaskManager();
                failures++;
            } else if (round == 3) {
                try (Connection admin = t.target()) {
                    exec(
                            admin,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname"
                                    + " = current_database() AND application_name LIKE"
                                    + " 'sluice-sink-%'");
                }
                failures++;
            }
        }
        assertThat(failures).isEqualTo(3);

        List<List<Object>> expected = new ArrayList<>();
        live.forEach(
                (id, name) -> {
                    if (id % 10 == 3 || name.equals("hidden")) {
                        return;
                    }
                    List<Object> row = new ArrayList<>();
                    row.add(id);
                    row.add(name);
                    row.add((long) score(id));
                    row.add(id % 10 == 5 ? null : "b" + id);
                    row.add(tier(id));
                    row.add((long) orders(id));
                    row.add(orders(id) > 2 ? 1L : 0L);
                    expected.add(row);
                });
        CdcTestSupport.awaitEqual(
                () -> expected,
                () ->
                        t.rowsOf(
                                t.target,
                                "SELECT id, name, credit_score, badge, tier, order_count, vip"
                                        + " FROM users_enriched ORDER BY id"),
                Duration.ofSeconds(120));

        deadLetters.sort(Comparator.naturalOrder());
        List<List<Object>> wantDead = new ArrayList<>();
        deadLetters.forEach(d -> wantDead.add(List.of(d)));
        assertThat(
                        sorted(
                                t.rowsOf(
                                        t.target,
                                        "SELECT (\"row\"->>'id') || '|' || (\"row\"->>'name')"
                                                + " FROM users_enriched_dead_letter")))
                .isEqualTo(wantDead);
        assertThat(
                        t.rowsOf(
                                t.target,
                                "SELECT DISTINCT pipeline, lookup, error LIKE '%500%' FROM"
                                        + " users_enriched_dead_letter"))
                .containsExactly(List.of("users", "score", true));
        assertThat(t.rowsOf(t.target, "SELECT count(*) FROM pg_prepared_xacts"))
                .containsExactly(List.of(0L));
        assertThat(unauthorized.get()).isZero();
        assertThat(
                        t.rowsOf(
                                t.target,
                                "SELECT count(*) FROM users_enriched_dead_letter WHERE error LIKE"
                                        + " '%"
                                        + TOKEN
                                        + "%'"))
                .containsExactly(List.of(0L));
    }

    @Test
    void aFailingLookupWithPolicyFailStopsTheJobNamingIt() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/creditscore", ex -> answer(ex, "user_id", "score"));
        http.start();
        t = new CdcTestSupport(PG.server(), PG.database(), dir);
        try (Connection c = t.source()) {
            exec(
                    c,
                    "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO users VALUES (1, 'a'), (3, 'fails'), (4, 'b')");
        }
        String yaml =
                Files.readString(t.file(""))
                                .replace(
                                        "pipelines:\n",
                                        "  - {name: scoring, type: http, url: \"http://127.0.0.1:"
                                                + http.getAddress().getPort()
                                                + "\", auth_token: "
                                                + TOKEN
                                                + "}\npipelines:\n")
                        + "  - name: strict\n"
                        + "    source: {datastore: src, table: {table: users}}\n"
                        + "    enrichment:\n"
                        + "      - {name: score, type: http, datastore: scoring,"
                        + " path: \"/creditscore?user_id={{ id }}\","
                        + " output: {credit_score: \"$.score\"}, retries: 1, backoff: 10ms}\n"
                        + "    sink: {datastore: dst, table: strict_users, unique_key: [id]}\n";
        Path file = dir.resolve("strict.yaml");
        Files.writeString(file, yaml);
        PipelineSpec spec =
                new dev.sluice.job.config.PipelineFileLoader(t.env()).load(file).pipelines.get(0);
        t.slots.add(spec.slotName);
        t.publications.add(spec.publication);
        job = t.start(spec, 1, false);
        Throwable failure = null;
        try {
            job.getJobExecutionResult().get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e;
        }
        assertThat(failure).as("on_error: fail must fail the job").isNotNull();
        assertThat(org.apache.flink.util.ExceptionUtils.stringifyException(failure))
                .contains("Pipeline strict, lookup score failed (on_error: fail")
                .contains("HTTP 500")
                .contains("user_id=3")
                .doesNotContain(TOKEN);
        // nothing of the failed checkpoint interval reached the target
        assertThat(t.rowsOf(t.target, "SELECT count(*) FROM pg_prepared_xacts"))
                .containsExactly(List.of(0L));
    }

    /** One-column rows in Java's string order (the database's collation may differ). */
    private static List<List<Object>> sorted(List<List<Object>> rows) {
        List<List<Object>> out = new ArrayList<>(rows);
        out.sort(Comparator.comparing(r -> String.valueOf(r.get(0))));
        return out;
    }

    private static void insert(
            Connection c, int id, String name, Map<Integer, String> live, List<String> dead)
            throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, name);
            ps.executeUpdate();
        }
        live.put(id, name);
        if (id % 10 == 3) {
            dead.add(id + "|" + name);
        }
    }

    /** 500 for ids ending in 3 (scores) or 5 (badges), else the value; 401 without the token. */
    private void answer(HttpExchange ex, String param, String what) throws java.io.IOException {
        try (ex) {
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String query = ex.getRequestURI().getQuery();
            int id =
                    Integer.parseInt(
                            query.substring(query.indexOf(param + "=") + param.length() + 1));
            boolean fail = what.equals("score") ? id % 10 == 3 : id % 10 == 5;
            String body =
                    fail
                            ? "{\"error\":\"boom\"}"
                            : what.equals("score")
                                    ? "{\"score\": " + score(id) + "}"
                                    : "{\"badge\": \"b" + id + "\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(fail ? 500 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }
}
