package dev.sluice.job.enrich;

import static dev.sluice.job.enrich.HttpLookupITCase.linked;
import static dev.sluice.job.enrich.HttpLookupITCase.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.DataType;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.testutils.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis lookups against a real Redis ({@link TestRedis}: the machine's, or one it starts); skipped
 * (with the reason) without one. Every test uses its own key prefix and deletes its keys.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisLookupITCase {

    private String url;
    private static final Map<String, String> ROW_TYPES = linked("id", "int8", "kind", "text");

    private String prefix;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private final List<Lookup> lookups = new ArrayList<>();
    private final CapturingMetricGroup metrics = new CapturingMetricGroup();

    @BeforeEach
    void connect() {
        url = TestRedis.url(); // skips the test, saying why, without a Redis
        prefix = "sluice-test:" + UUID.randomUUID() + ":";
        client = RedisClient.create(url);
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Lookup l : lookups) {
            l.close();
        }
        if (redis != null) {
            List<String> keys = redis.keys(prefix + "*");
            if (!keys.isEmpty()) {
                redis.del(keys.toArray(new String[0]));
            }
            connection.close();
            client.shutdown();
        }
    }

    private Datastore store() {
        return LookupSpecs.redisStore(url, null, null);
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
    void hashFieldsAreReadInOneCommand() throws Exception {
        redis.hset(prefix + "user:1", Map.of("name", "Ann", "score", "7"));
        EnrichmentSpec spec =
                LookupSpecs.redis(store(), prefix + "user:{{ id }}")
                        .out("name", "name")
                        .out("score", "score", DataType.INT)
                        .out("missing", "nope")
                        .build();

        assertThat(Lookup.describe(spec, ROW_TYPES))
                .containsExactly(
                        Map.entry("name", "text"),
                        Map.entry("score", "bigint"),
                        Map.entry("missing", "text"));
        assertThat(Lookup.columnsRead(spec)).containsExactly("id");
        Lookup l = open(spec);
        LookupResult ann = get(l.lookup(row("id", 1L), -1));
        LookupResult none = get(l.lookup(row("id", 2L), -1));

        assertThat(ann.failed()).as(ann.toString()).isFalse();
        assertThat(ann.values())
                .containsEntry("name", "Ann")
                .containsEntry("score", 7L)
                .containsEntry("missing", null);
        assertThat(none.failed()).isFalse();
        assertThat(none.values().values()).hasSize(3).containsOnlyNulls();
    }

    @Test
    void jsonPathsReadAStringValue() throws Exception {
        redis.set(prefix + "doc:a", "{\"a\":{\"b\":[1,2]},\"s\":\"x\",\"o\":{\"k\":true}}");
        Lookup l =
                open(
                        LookupSpecs.redis(store(), prefix + "doc:{{ kind }}")
                                .out("whole", "$")
                                .out("second", "$.a.b[1]", DataType.INT)
                                .out("s", "$.s")
                                .out("o", "$.o")
                                .build());

        LookupResult r = get(l.lookup(row("kind", "a"), -1));
        LookupResult missing = get(l.lookup(row("kind", "b"), -1));

        assertThat(r.values())
                .containsEntry("whole", "{\"a\":{\"b\":[1,2]},\"s\":\"x\",\"o\":{\"k\":true}}")
                .containsEntry("second", 2L)
                .containsEntry("s", "x")
                .containsEntry("o", "{\"k\":true}");
        assertThat(missing.values().values()).hasSize(4).containsOnlyNulls();
    }

    @Test
    void aNullKeyVariableSkipsTheLookup() throws Exception {
        Lookup l = open(LookupSpecs.redis(store(), prefix + "{{ kind }}").out("v", "$").build());
        Map<String, Object> nullKind = new HashMap<>();
        nullKind.put("kind", null);

        LookupResult r = get(l.lookup(nullKind, -1));

        assertThat(r.failed()).isFalse();
        assertThat(r.values()).hasSize(1).containsEntry("v", null);
        assertThat(metrics.count("lookup.lk_redis.cacheMisses")).isZero();
    }

    @Test
    void cachedAnswersAreDroppedByARollbackOfTheirBlock() throws Exception {
        redis.set(prefix + "k:old", "1");
        redis.set(prefix + "k:new", "1");
        Lookup l =
                open(
                        LookupSpecs.redis(store(), prefix + "k:{{ kind }}")
                                .out("v", "$")
                                .cache(100, Duration.ofMinutes(10))
                                .build());
        get(l.lookup(row("kind", "old"), 10));
        get(l.lookup(row("kind", "new"), 20));
        redis.set(prefix + "k:old", "2");
        redis.set(prefix + "k:new", "2");

        LookupResult cachedNew = get(l.lookup(row("kind", "new"), 21));
        l.rollback(15);
        LookupResult old = get(l.lookup(row("kind", "old"), 16));
        LookupResult fresh = get(l.lookup(row("kind", "new"), 16));

        assertThat(cachedNew.values()).containsEntry("v", "1");
        assertThat(old.values()).containsEntry("v", "1");
        assertThat(fresh.values()).containsEntry("v", "2");
        assertThat(metrics.count("lookup.lk_redis.cacheHits")).isEqualTo(2);
        assertThat(metrics.count("lookup.lk_redis.cacheMisses")).isEqualTo(3);
    }

    @Test
    void aWrongTypeFailsWithoutRetries() throws Exception {
        redis.set(prefix + "str", "x");
        Lookup l =
                open(
                        LookupSpecs.redis(store(), prefix + "{{ kind }}")
                                .out("name", "name")
                                .retries(3)
                                .build());

        LookupResult r = get(l.lookup(row("kind", "str"), -1));

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("lk_redis", "WRONGTYPE");
        assertThat(metrics.count("lookup.lk_redis.retries")).isZero();
        assertThat(metrics.count("lookup.lk_redis.failures")).isEqualTo(1);
    }

    @Test
    void aValueThatIsNotJsonFailsTheRow() throws Exception {
        redis.set(prefix + "bad", "not json {");
        Lookup l = open(LookupSpecs.redis(store(), prefix + "{{ kind }}").out("a", "$.a").build());

        LookupResult r = get(l.lookup(row("kind", "bad"), -1));

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("lk_redis", "not JSON");
    }

    @Test
    void aWrongPasswordFailsOpenWithoutShowingIt() {
        Lookup l =
                new Lookup(
                        LookupSpecs.redis(
                                        LookupSpecs.redisStore(url, "nobody", "redis-secret-55"),
                                        prefix + "{{ kind }}")
                                .out("v", "$")
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        ROW_TYPES);
        lookups.add(l);

        assertThatThrownBy(() -> l.open(metrics))
                .hasMessageContaining("lk_redis")
                .satisfies(e -> assertThat(e.toString()).doesNotContain("redis-secret-55"));
    }

    @Test
    void describeRejectsMixedOutputsAndUnknownVariables() {
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.redis(store(), "u:{{ id }}")
                                                .out("name", "name")
                                                .out("a", "$.a")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("mix hash fields and JSON paths");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.redis(store(), "u:{{ user }}")
                                                .out("name", "name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("'user'")
                .hasMessageContaining("id, kind");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.redis(store(), "u:{% if %}")
                                                .out("name", "name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_redis");
    }
}
