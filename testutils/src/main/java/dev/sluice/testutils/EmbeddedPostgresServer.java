package dev.sluice.testutils;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real PostgreSQL started from zonky's Maven-packaged binaries, on a random free port, with
 * logical replication and prepared transactions on. Works as root (zonky runs it in a user
 * namespace) and as a normal user.
 */
public final class EmbeddedPostgresServer implements PostgresServer {

    /** The settings every Sluice test needs: CDC and two-phase commit. */
    public static Map<String, String> defaultConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("wal_level", "logical");
        config.put("max_prepared_transactions", "64");
        config.put("max_replication_slots", "20");
        config.put("max_wal_senders", "20");
        config.put("max_connections", "300");
        config.put("fsync", "off");
        config.put("synchronous_commit", "off");
        config.put("full_page_writes", "off");
        return config;
    }

    private final Map<String, String> config;
    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Map<String, String> config, Path dataDir, int port) {
        this.config = config;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts a server with {@link #defaultConfig()} overridden by {@code overrides}. */
    public static EmbeddedPostgresServer start(Map<String, String> overrides) {
        Map<String, String> config = defaultConfig();
        config.putAll(overrides);
        try {
            Path dataDir = Files.createTempDirectory("sluice-pg-");
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(config, dataDir, freePort());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a data directory for PostgreSQL", e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            EmbeddedPostgres.Builder builder =
                    EmbeddedPostgres.builder()
                            .setPort(port)
                            .setDataDirectory(dataDir)
                            .setCleanDataDirectory(false)
                            .setPGStartupWait(Duration.ofSeconds(60));
            config.forEach(builder::setServerConfig);
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL on port " + port, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop embedded PostgreSQL on port " + port, e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public boolean restartable() {
        return true;
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public void close() {
        stop();
        deleteQuietly(dataDir);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless; the server itself is already stopped.
        }
    }
}
