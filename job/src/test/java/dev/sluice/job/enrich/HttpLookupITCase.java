package dev.sluice.job.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.DataType;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.Secret;
import dev.sluice.testutils.TestCertificates;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP lookups against a real HTTP(S) server in the test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpLookupITCase {

    private static final String TOKEN = "tok-secret-123";
    private static final Map<String, String> ROW_TYPES =
            linked("id", "text", "q", "text", "name", "text", "n", "int8");

    private TestHttpService server;
    private final List<Lookup> lookups = new ArrayList<>();
    private CapturingMetricGroup metrics;

    @BeforeEach
    void start() throws Exception {
        server = TestHttpService.http("Bearer " + TOKEN);
        metrics = new CapturingMetricGroup();
    }

    @AfterEach
    void stop() throws Exception {
        for (Lookup l : lookups) {
            l.close();
        }
        server.close();
    }

    private Datastore store() {
        return LookupSpecs.httpStore(server.url(), null, null, TOKEN, Map.of(), null);
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
    void answersAreMappedByJsonPathAndDtype() throws Exception {
        EnrichmentSpec spec =
                LookupSpecs.http(store(), "/users/{{ id }}")
                        .out("name", "$.name")
                        .out("score", "$.score")
                        .out("score_dec", "$.score", DataType.DECIMAL)
                        .out("active", "$.active")
                        .out("n", "$.n", DataType.INT)
                        .out("tags", "$.tags")
                        .out("first_tag", "$.tags[0]")
                        .out("last_tag", "$['tags'][-1]")
                        .out("city", "$.address.city")
                        .out("zip", "$.address['zip code']")
                        .out("address", "$.address", DataType.JSON)
                        .out("none", "$.none")
                        .out("absent", "$.nothing.here")
                        .build();
        assertThat(Lookup.describe(spec, ROW_TYPES))
                .containsExactly(
                        Map.entry("name", "text"),
                        Map.entry("score", "text"),
                        Map.entry("score_dec", "numeric"),
                        Map.entry("active", "text"),
                        Map.entry("n", "bigint"),
                        Map.entry("tags", "text"),
                        Map.entry("first_tag", "text"),
                        Map.entry("last_tag", "text"),
                        Map.entry("city", "text"),
                        Map.entry("zip", "text"),
                        Map.entry("address", "jsonb"),
                        Map.entry("none", "text"),
                        Map.entry("absent", "text"));
        assertThat(Lookup.columnsRead(spec)).containsExactly("id");

        LookupResult r = get(open(spec).lookup(row("id", "7"), -1));

        assertThat(r.failed()).as(r.toString()).isFalse();
        Map<String, Object> v = r.values();
        assertThat(v.keySet()).containsExactlyElementsOf(spec.output.keySet());
        assertThat(v.get("name")).isEqualTo("Ann");
        assertThat(v.get("score")).isEqualTo("1.50");
        assertThat(v.get("score_dec")).isEqualTo(new BigDecimal("1.50"));
        assertThat(v.get("active")).isEqualTo("true");
        assertThat(v.get("n")).isEqualTo(42L);
        assertThat(v.get("tags")).isEqualTo("[\"a\",\"b\"]");
        assertThat(v.get("first_tag")).isEqualTo("a");
        assertThat(v.get("last_tag")).isEqualTo("b");
        assertThat(v.get("city")).isEqualTo("Oslo");
        assertThat(v.get("zip")).isEqualTo("0150");
        assertThat(v.get("address")).isEqualTo("{\"city\":\"Oslo\",\"zip code\":\"0150\"}");
        assertThat(v.get("none")).isNull();
        assertThat(v.get("absent")).isNull();
        assertThat(server.authorizations).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void valuesInThePathArePercentEncoded() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/users/{{ id }}?q={{ q }}")
                                .out("id", "$.id")
                                .out("query", "$.query")
                                .build());

        LookupResult r = get(l.lookup(row("id", "a/b?c=d&e#f é", "q", "x&y=1"), -1));

        assertThat(r.values().get("id")).isEqualTo("a/b?c=d&e#f é");
        assertThat(r.values().get("query")).isEqualTo("q=x%26y%3D1");
        assertThat(server.requests.keySet())
                .containsExactly("/users/a%2Fb%3Fc%3Dd%26e%23f%20%C3%A9");
    }

    @Test
    void notFoundGivesNullsAndNullVariableSkipsTheRequest() throws Exception {
        Lookup l = open(LookupSpecs.http(store(), "/users/{{ id }}").out("name", "$.name").build());

        LookupResult missing = get(l.lookup(row("id", "missing"), -1));
        Map<String, Object> nullId = new HashMap<>();
        nullId.put("id", null);
        LookupResult skipped = get(l.lookup(nullId, -1));

        assertThat(missing.failed()).isFalse();
        assertThat(missing.values()).hasSize(1).containsEntry("name", null);
        assertThat(skipped.failed()).isFalse();
        assertThat(skipped.values()).hasSize(1).containsEntry("name", null);
        assertThat(server.total()).isEqualTo(1);
        assertThat(metrics.count("lookup.lk_http.lookups")).isEqualTo(2);
        assertThat(metrics.count("lookup.lk_http.cacheMisses")).isEqualTo(1);
    }

    @Test
    void postSendsTheRenderedBody() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/echo")
                                .post("{\"id\": {{ n }}, \"name\": {{ name | tojson }}}")
                                .out("id", "$.id", DataType.INT)
                                .out("name", "$.name")
                                .build());

        LookupResult r = get(l.lookup(row("n", 5L, "name", "O'Hara \"the\" }"), -1));

        assertThat(r.values()).containsEntry("id", 5L).containsEntry("name", "O'Hara \"the\" }");
        assertThat(server.bodies)
                .containsExactly("{\"id\": 5, \"name\": \"O'Hara \\\"the\\\" }\"}");
    }

    @Test
    void identicalRowsAreAskedOnceWhileCached() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/users/{{ id }}")
                                .out("name", "$.name")
                                .cache(100, Duration.ofMinutes(10))
                                .build());

        CompletableFuture<LookupResult> a = l.lookup(row("id", "1"), -1);
        CompletableFuture<LookupResult> b = l.lookup(row("id", "1"), -1);
        assertThat(get(a).values()).containsEntry("name", "Ann");
        assertThat(get(b).values()).containsEntry("name", "Ann");
        assertThat(get(l.lookup(row("id", "1"), -1)).values()).containsEntry("name", "Ann");
        get(l.lookup(row("id", "2"), -1));

        assertThat(server.count("/users/1")).isEqualTo(1);
        assertThat(server.count("/users/2")).isEqualTo(1);
        assertThat(metrics.count("lookup.lk_http.lookups")).isEqualTo(4);
        assertThat(metrics.count("lookup.lk_http.cacheHits")).isEqualTo(2);
        assertThat(metrics.count("lookup.lk_http.cacheMisses")).isEqualTo(2);
        assertThat(metrics.gaugeValue("lookup.lk_http.cacheHitRate")).isEqualTo(0.5);
        assertThat(metrics.count("lookup.lk_http.latencyMs")).isEqualTo(2);
        assertThat(metrics.names())
                .contains(
                        "lookup.lk_http.lookupsPerSecond",
                        "lookup.lk_http.retries",
                        "lookup.lk_http.failures");
    }

    @Test
    void cachedAnswersExpireAfterTheirTtl() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/users/{{ id }}")
                                .out("name", "$.name")
                                .cache(100, Duration.ofMillis(50))
                                .build());

        get(l.lookup(row("id", "1"), -1));
        Thread.sleep(300); // several TTLs: the entry has expired, however slow the machine
        get(l.lookup(row("id", "1"), -1));

        assertThat(server.count("/users/1")).isEqualTo(2);
    }

    @Test
    void theCacheHoldsAtMostItsSize() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/users/{{ id }}")
                                .out("name", "$.name")
                                .cache(2, Duration.ofMinutes(10))
                                .build());

        for (int round = 0; round < 2; round++) {
            for (String id : List.of("1", "2", "3")) {
                get(l.lookup(row("id", id), -1));
            }
        }

        // 3 keys in a cache of 2: at least one of the second round was asked again
        assertThat(server.total()).isGreaterThan(3);
    }

    @Test
    void rollbackDropsAnswersOfRolledBackBlocksAndKeepsOlderOnes() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/users/{{ id }}")
                                .out("name", "$.name")
                                .cache(100, Duration.ofMinutes(10))
                                .build());
        get(l.lookup(row("id", "old"), 100));
        get(l.lookup(row("id", "new"), 105));

        l.rollback(103);
        get(l.lookup(row("id", "old"), 110));
        get(l.lookup(row("id", "new"), 110));

        assertThat(server.count("/users/old")).isEqualTo(1);
        assertThat(server.count("/users/new")).isEqualTo(2);
    }

    @Test
    void anAnswerInFlightDuringARollbackIsNotCached() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/wait/{{ id }}")
                                .out("ok", "$.ok")
                                .cache(100, Duration.ofMinutes(10))
                                .build());
        CompletableFuture<LookupResult> asked = l.lookup(row("id", "k"), 200);
        awaitRequests(1);

        l.rollback(150);
        server.release();
        assertThat(get(asked).values()).containsEntry("ok", "k");
        get(l.lookup(row("id", "k"), 150)); // asked again: nothing was cached
        get(l.lookup(row("id", "k"), 150)); // this answer came after the rollback: cached

        assertThat(server.count("/wait/k")).isEqualTo(2);
    }

    @Test
    void aTimedOutAttemptIsRetried() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/slow/1/{{ id }}")
                                .out("ok", "$.ok")
                                .timeout(Duration.ofSeconds(2))
                                .retries(3)
                                .build());

        LookupResult r = get(l.lookup(row("id", "k"), -1));

        assertThat(r.failed()).as(r.toString()).isFalse();
        assertThat(r.values()).containsEntry("ok", "late");
        assertThat(server.count("/slow/1/k")).isGreaterThanOrEqualTo(2);
        assertThat(metrics.count("lookup.lk_http.retries")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.count("lookup.lk_http.failures")).isZero();
    }

    @Test
    void retriableFailuresAreRetriedThenFail() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/flaky/{{ n }}/{{ id }}")
                                .out("ok", "$.ok")
                                .retries(2)
                                .build());

        LookupResult recovered = get(l.lookup(row("n", 2L, "id", "a"), -1));
        LookupResult failed = get(l.lookup(row("n", 10L, "id", "b"), -1));

        assertThat(recovered.values()).containsEntry("ok", "yes");
        assertThat(server.count("/flaky/2/a")).isEqualTo(3);
        assertThat(failed.failed()).isTrue();
        assertThat(failed.error())
                .contains("lk_http", "failed after 3 attempts", "HTTP 503", "try later");
        assertThat(server.count("/flaky/10/b")).isEqualTo(3);
        assertThat(metrics.count("lookup.lk_http.retries")).isEqualTo(4);
        assertThat(metrics.count("lookup.lk_http.failures")).isEqualTo(1);
    }

    @Test
    void clientErrorsAreNotRetriedAndTheirMessagesHideSecrets() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/status/{{ n }}")
                                .out("ok", "$.ok")
                                .retries(3)
                                .build());

        LookupResult bad = get(l.lookup(row("n", 400L), -1));
        LookupResult tooMany = get(l.lookup(row("n", 429L), -1));

        assertThat(bad.failed()).isTrue();
        assertThat(server.count("/status/400")).isEqualTo(1);
        assertThat(bad.error()).contains("lk_http", "HTTP 400", "refused");
        assertThat(bad.error()).doesNotContain(TOKEN).hasSizeLessThan(400);
        assertThat(server.count("/status/429")).isEqualTo(4);
        assertThat(tooMany.error()).contains("HTTP 429").doesNotContain(TOKEN);
    }

    @Test
    void anOversizedAnswerFailsWithoutRetries() throws Exception {
        Lookup l = open(LookupSpecs.http(store(), "/big/{{ n }}").out("ok", "$.ok").build());

        LookupResult small = get(l.lookup(row("n", 1L), -1));
        LookupResult big = get(l.lookup(row("n", 17L), -1));

        assertThat(small.failed()).as(small.toString()).isFalse();
        assertThat(big.failed()).isTrue();
        assertThat(big.error()).contains("lk_http", "larger than 16 MiB");
        assertThat(server.count("/big/17")).isEqualTo(1);
    }

    @Test
    void atMostMaxInFlightRequestsAreOutstanding() throws Exception {
        Lookup l =
                open(
                        LookupSpecs.http(store(), "/wait/{{ id }}")
                                .out("ok", "$.ok")
                                .maxInFlight(2)
                                .timeout(Duration.ofSeconds(60))
                                .build());
        List<CompletableFuture<LookupResult>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(l.lookup(row("id", "k" + i), -1)); // returns at once
        }
        awaitRequests(2);
        Thread.sleep(200); // would be enough for a third request to arrive, were it sent
        assertThat(server.total()).isEqualTo(2);

        server.release();
        for (int i = 0; i < 6; i++) {
            assertThat(get(results.get(i)).values()).containsEntry("ok", "k" + i);
        }
        assertThat(server.total()).isEqualTo(6);
        assertThat(server.maxInFlight.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void closingFailsWhatIsStillOutstanding() throws Exception {
        Lookup l =
                new Lookup(
                        LookupSpecs.http(store(), "/wait/{{ id }}")
                                .out("ok", "$.ok")
                                .maxInFlight(1)
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        ROW_TYPES);
        l.open(metrics);
        CompletableFuture<LookupResult> sent = l.lookup(row("id", "a"), -1);
        CompletableFuture<LookupResult> queued = l.lookup(row("id", "b"), -1);
        awaitRequests(1);

        l.close();

        assertThat(get(sent).error()).contains("lk_http", "closed");
        assertThat(get(queued).error()).contains("lk_http", "closed");
    }

    @Test
    void wrongCredentialsFailWithoutTheSecret() throws Exception {
        Datastore wrong =
                LookupSpecs.httpStore(server.url(), null, null, "wrong-token-456", Map.of(), null);
        Lookup l = open(LookupSpecs.http(wrong, "/users/{{ id }}").out("name", "$.name").build());

        LookupResult r = get(l.lookup(row("id", "1"), -1));

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("HTTP 401").doesNotContain("wrong-token-456");
    }

    @Test
    void unreachableServersAreRetriedAndReported() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Datastore gone =
                LookupSpecs.httpStore(
                        "http://127.0.0.1:" + port,
                        "u",
                        "pw-secret-789",
                        null,
                        Map.of("X-Api-Key", new Secret("hdr-secret-000")),
                        null);
        Lookup l =
                open(
                        LookupSpecs.http(gone, "/users/{{ id }}")
                                .out("name", "$.name")
                                .retries(1)
                                .build());

        LookupResult r = get(l.lookup(row("id", "1"), -1));

        assertThat(r.failed()).isTrue();
        assertThat(r.error()).contains("lk_http", "failed after 2 attempts", "ConnectException");
        assertThat(r.error()).doesNotContain("pw-secret-789", "hdr-secret-000");
        assertThat(metrics.count("lookup.lk_http.retries")).isEqualTo(1);
    }

    @Test
    void httpsWithATestCaAndBasicAuth(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        String basic =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString("ann:pw-secret".getBytes(StandardCharsets.UTF_8));
        try (TestHttpService tls = TestHttpService.https(serverTls(certs), basic)) {
            Datastore store =
                    LookupSpecs.httpStore(
                            tls.url() + "/",
                            "ann",
                            "pw-secret",
                            null,
                            Map.of("X-Extra", new Secret("extra")),
                            certs.caCert().toString());
            Lookup l =
                    open(LookupSpecs.http(store, "/users/{{ id }}").out("name", "$.name").build());

            LookupResult r = get(l.lookup(row("id", "9"), -1));

            assertThat(r.failed()).as(r.toString()).isFalse();
            assertThat(r.values()).containsEntry("name", "Ann");
            assertThat(tls.count("/users/9")).isEqualTo(1);
        }
    }

    @Test
    void describeNamesTemplateProblems() {
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ user_id }}")
                                                .out("name", "$.name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_http")
                .hasMessageContaining("user_id")
                .hasMessageContaining("id, q, name, n");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ id ")
                                                .out("name", "$.name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_http")
                .hasMessageContaining("does not parse");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ id.getClass() }}")
                                                .out("name", "$.name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("not available in lookup templates");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ id }}")
                                                .out("name", "name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("must start with $");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(
                                                        store(),
                                                        "/users/{% if q %}{{ nope }}{% else %}{{ id"
                                                                + " }}{% endif %}")
                                                .out("name", "$.name")
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("'nope'");
    }

    @Test
    void describeChecksTimingsAndSizes() {
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ id }}")
                                                .out("name", "$.name")
                                                .timeout(Duration.ZERO)
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("lk_http: timeout must be positive");
        assertThatThrownBy(
                        () ->
                                Lookup.describe(
                                        LookupSpecs.http(store(), "/users/{{ id }}")
                                                .out("name", "$.name")
                                                .maxInFlight(0)
                                                .build(),
                                        ROW_TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("max_in_flight");
    }

    private void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.total() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the server saw " + server.total() + " requests, not " + n);
            }
            Thread.sleep(10);
        }
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, String> linked(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static SSLContext serverTls(TestCertificates certs) throws Exception {
        String pem = Files.readString(certs.serverKey());
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key =
                KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certs.serverCertChain())) {
            chain =
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(in)
                            .toArray(new Certificate[0]);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, "pw".toCharArray(), chain);
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
