package dev.sluice.job.enrich;

import static dev.sluice.job.enrich.HttpLookupITCase.linked;
import static dev.sluice.job.enrich.HttpLookupITCase.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.testutils.TestCertificates;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis lookups over TLS ({@code rediss://}, a test CA as the datastore's ca_file) with a password,
 * against a {@code redis-server} this test starts; skipped when the machine has no redis-server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisTlsLookupITCase {

    private static final String PASSWORD = "tls-redis-secret-77";
    private static final Map<String, String> ROW_TYPES = linked("id", "text");

    @TempDir static Path dir;
    private static Process server;
    private static int port;
    private static TestCertificates certs;

    @BeforeAll
    static void startServer() throws Exception {
        Path binary = Path.of("/usr/bin/redis-server");
        String fromPath = System.getenv("PATH");
        if (fromPath != null) {
            for (String d : fromPath.split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(d, "redis-server"))) {
                    binary = Path.of(d, "redis-server");
                    break;
                }
            }
        }
        Assumptions.assumeTrue(
                Files.isExecutable(binary), "no redis-server on this machine to test TLS with");
        certs = TestCertificates.create(dir.resolve("certs"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server =
                new ProcessBuilder(
                                List.of(
                                        binary.toString(),
                                        "--port",
                                        "0",
                                        "--tls-port",
                                        String.valueOf(port),
                                        "--bind",
                                        "127.0.0.1",
                                        "--tls-cert-file",
                                        certs.serverCertChain().toString(),
                                        "--tls-key-file",
                                        certs.serverKey().toString(),
                                        "--tls-ca-cert-file",
                                        certs.caCert().toString(),
                                        "--tls-auth-clients",
                                        "no",
                                        "--requirepass",
                                        PASSWORD,
                                        "--save",
                                        "",
                                        "--appendonly",
                                        "no",
                                        "--dir",
                                        dir.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis.log").toFile())
                        .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!listening()) {
            Assumptions.assumeTrue(
                    server.isAlive(),
                    "redis-server did not start with TLS: "
                            + Files.readString(dir.resolve("redis.log")));
            if (System.nanoTime() > deadline) {
                throw new AssertionError("redis-server is not listening after 30 s");
            }
            Thread.sleep(50);
        }
    }

    private static boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Datastore store(String password) {
        return new Datastore(
                "cache",
                Datastore.Type.REDIS,
                null,
                0,
                null,
                null,
                new dev.sluice.job.config.Secret(password),
                null,
                "rediss://localhost:" + port,
                null,
                Map.of(),
                certs.caCert().toString());
    }

    @Test
    void readsOverTlsWithAPassword() throws Exception {
        RedisURI uri = RedisURI.create("rediss://localhost:" + port);
        uri.setPassword(PASSWORD.toCharArray());
        RedisClient client = RedisClient.create(uri);
        client.setOptions(
                ClientOptions.builder()
                        .sslOptions(
                                SslOptions.builder()
                                        .jdkSslProvider()
                                        .trustManager(certs.caCert().toFile())
                                        .build())
                        .build());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().hset("tls:user:1", Map.of("name", "Ann"));
            EnrichmentSpec spec =
                    LookupSpecs.redis(store(PASSWORD), "tls:user:{{ id }}")
                            .out("name", "name")
                            .build();
            try (Lookup l = new Lookup(spec, ROW_TYPES)) {
                l.open(new CapturingMetricGroup());

                LookupResult r = l.lookup(row("id", "1"), -1).get(60, TimeUnit.SECONDS);

                assertThat(r.failed()).as(r.toString()).isFalse();
                assertThat(r.values()).containsEntry("name", "Ann");
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aWrongPasswordFailsOpenWithoutShowingIt() throws Exception {
        EnrichmentSpec spec =
                LookupSpecs.redis(store("wrong-secret-99"), "tls:user:{{ id }}")
                        .out("name", "name")
                        .build();
        try (Lookup l = new Lookup(spec, ROW_TYPES)) {
            assertThatThrownBy(() -> l.open(new CapturingMetricGroup()))
                    .hasMessageContaining("lk_redis")
                    .hasMessageContaining("rediss://localhost:" + port)
                    .satisfies(
                            e ->
                                    assertThat(e.toString())
                                            .doesNotContain("wrong-secret-99")
                                            .doesNotContain(PASSWORD));
        }
    }
}
