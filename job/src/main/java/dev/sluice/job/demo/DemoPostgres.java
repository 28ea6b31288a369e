package dev.sluice.job.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The demo's PostgreSQL: a real server from the binaries that ship in {@code flink-lib/}, with its
 * data kept in a local directory so a second {@code demo} run continues where the first stopped.
 * Logical replication and prepared transactions are on, like production needs.
 */
final class DemoPostgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final int port;

    private DemoPostgres(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    static DemoPostgres start(Path dataDir, int port) throws IOException {
        Files.createDirectories(dataDir);
        EmbeddedPostgres pg =
                EmbeddedPostgres.builder()
                        .setPort(port)
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("max_prepared_transactions", "32")
                        .setServerConfig("listen_addresses", "localhost")
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .start();
        return new DemoPostgres(pg, port);
    }

    int port() {
        return port;
    }

    /** {@code postgresql://postgres@localhost:<port>/postgres} */
    String url() {
        return "postgresql://postgres@localhost:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
