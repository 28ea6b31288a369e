package dev.sluice.testutils;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A PostgreSQL server the environment provides, named by a URL such as {@code
 * jdbc:postgresql://host:5432/postgres?user=u&password=p}. It must run with {@code
 * wal_level=logical} and {@code max_prepared_transactions > 0}; tests cannot restart it.
 */
final class ExternalPostgresServer implements PostgresServer {

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private ExternalPostgresServer(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    static ExternalPostgresServer fromUrl(String url) {
        String stripped = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        URI uri = URI.create(stripped);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(
                    TestPostgres.URL_ENV
                            + " must look like"
                            + " jdbc:postgresql://host:port/postgres?user=u&password=p");
        }
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(
                            pair.substring(0, eq),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String user = params.getOrDefault("user", "postgres");
        String password = params.getOrDefault("password", "");
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : password;
        }
        return new ExternalPostgresServer(
                uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, user, password);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public boolean restartable() {
        return false;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException(
                "An external PostgreSQL cannot be stopped by tests");
    }

    @Override
    public void start() {
        // Always running.
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
