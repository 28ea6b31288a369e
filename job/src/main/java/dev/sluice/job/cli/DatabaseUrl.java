package dev.sluice.job.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL address split into a JDBC URL without credentials, a user and a password, so the
 * password travels separately and never lands in a log. Accepts ampsync's {@code
 * postgresql://user:pass@host:port/db?sslmode=…} form, {@code jdbc:postgresql://…}, or the {@code
 * DATABASE_USER/NAME/PASSWORD/HOST/PORT} variables.
 */
public final class DatabaseUrl {

    private final String jdbcUrl;
    private final String user;
    private final String password;

    private DatabaseUrl(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    /** Never log it. */
    public String password() {
        return password;
    }

    /** Parses a URL; the message of a failure never repeats the URL (it may hold a password). */
    public static DatabaseUrl parse(String url) {
        String text = url.trim();
        if (text.startsWith("jdbc:")) {
            text = text.substring(5);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "not a URL; expected postgresql://user:password@host:5432/database");
        }
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw new IllegalArgumentException(
                    "the scheme must be postgresql:// (or postgres://, jdbc:postgresql://)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URL names no host");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty()) {
            throw new IllegalArgumentException("the URL names no database (…/database)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        List<String> kept = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String key = eq > 0 ? pair.substring(0, eq) : pair;
                String value = eq > 0 ? decode(pair.substring(eq + 1)) : "";
                if ("user".equals(key)) {
                    user = value;
                } else if ("password".equals(key)) {
                    password = value;
                } else if (!key.isEmpty()) {
                    kept.add(pair);
                }
            }
        }
        String jdbc =
                "jdbc:postgresql://"
                        + hostPort(uri.getHost(), uri.getPort())
                        + "/"
                        + database
                        + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseUrl(jdbc, user, password);
    }

    /**
     * ampsync's older variables: {@code DATABASE_USER}, {@code DATABASE_NAME}, {@code
     * DATABASE_PASSWORD}, {@code DATABASE_HOST} (localhost), {@code DATABASE_PORT} (5432); null if
     * none of them is set.
     */
    public static DatabaseUrl fromParts(Map<String, String> env) {
        String name = env.get("DATABASE_NAME");
        String user = env.get("DATABASE_USER");
        if (name == null && user == null && env.get("DATABASE_HOST") == null) {
            return null;
        }
        if (name == null || name.isBlank()) {
            throw new UsageException(
                    "DATABASE_USER/HOST are set but DATABASE_NAME is not: set it, or give"
                            + " --database-url instead.");
        }
        String host = env.getOrDefault("DATABASE_HOST", "localhost");
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("DATABASE_PORT", "5432").trim());
        } catch (NumberFormatException e) {
            throw new UsageException(
                    "Invalid DATABASE_PORT: must be a port number (default 5432).");
        }
        return new DatabaseUrl(
                "jdbc:postgresql://" + hostPort(host, port) + "/" + name,
                user,
                env.get("DATABASE_PASSWORD"));
    }

    private static String hostPort(String host, int port) {
        return host + (port > 0 ? ":" + port : "");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return jdbcUrl + (user != null ? " as " + user : "");
    }
}
