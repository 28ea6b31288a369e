package dev.sluice.testutils;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL server of a test JVM: embedded by default, or the external server named by
 * {@value #URL_ENV}. Tests get their own database on it through {@link PostgresExtension}.
 */
public final class TestPostgres {

    /** Environment variable naming an external server to use instead of an embedded one. */
    public static final String URL_ENV = "SLUICE_TEST_POSTGRES_URL";

    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);

    private static PostgresServer shared;

    private TestPostgres() {}

    /** The JVM-wide server, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            String url = System.getenv(URL_ENV);
            if (url != null && !url.isBlank()) {
                shared = ExternalPostgresServer.fromUrl(url);
                LOG.info(
                        "Tests use the external PostgreSQL at {}:{}", shared.host(), shared.port());
            } else {
                shared = EmbeddedPostgresServer.start(Map.of());
                LOG.info("Tests use an embedded PostgreSQL on port {}", shared.port());
                PostgresServer server = shared;
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
            }
        }
        return shared;
    }

    /**
     * A dedicated embedded server with extra settings (for example {@code
     * max_prepared_transactions=0}, or one a test restarts). The caller closes it.
     */
    public static EmbeddedPostgresServer dedicated(Map<String, String> overrides) {
        return EmbeddedPostgresServer.start(overrides);
    }
}
