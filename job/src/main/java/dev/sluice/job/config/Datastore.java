package dev.sluice.job.config;

import java.io.Serializable;

/**
 * A named connection of the pipeline file: a PostgreSQL database (source, target or SQL lookups),
 * an Amp server, or a Redis server or HTTP service for lookups. Secrets are {@link Secret}s, so
 * printing a datastore never shows them.
 */
public final class Datastore implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What a datastore is. */
    public enum Type {
        POSTGRES,
        AMP,
        REDIS,
        HTTP
    }

    public final String name;
    public final Type type;
    // postgres
    public final String host;
    public final int port;
    public final String database;
    public final String username;
    public final Secret password;

    /** Extra JDBC parameters (sslmode=require&…), without user and password. */
    public final String parameters;

    // amp, redis (redis://, rediss://), http (the base URL of lookups)
    public final String url;
    // amp and http (bearer)
    public final Secret authToken;

    // http: headers sent with every request (values may be secrets: never printed)
    public final java.util.Map<String, Secret> headers;

    /** redis and http: a PEM file of CA certificates to trust instead of the JVM's, or null. */
    public final String caFile;

    Datastore(
            String name,
            Type type,
            String host,
            int port,
            String database,
            String username,
            Secret password,
            String parameters,
            String url,
            Secret authToken) {
        this(
                name,
                type,
                host,
                port,
                database,
                username,
                password,
                parameters,
                url,
                authToken,
                java.util.Map.of(),
                null);
    }

    /** Every field; for the loader and for tests that build datastores directly. */
    public Datastore(
            String name,
            Type type,
            String host,
            int port,
            String database,
            String username,
            Secret password,
            String parameters,
            String url,
            Secret authToken,
            java.util.Map<String, Secret> headers,
            String caFile) {
        this.headers = java.util.Map.copyOf(headers);
        this.caFile = caFile;
        this.name = name;
        this.type = type;
        this.host = host;
        this.port = port;
        this.database = database;
        this.username = username;
        this.password = password;
        this.parameters = parameters;
        this.url = url;
        this.authToken = authToken;
    }

    /** The JDBC URL of a postgres datastore (no credentials in it). */
    public String jdbcUrl() {
        String hostPort = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        return "jdbc:postgresql://"
                + hostPort
                + "/"
                + database
                + (parameters == null || parameters.isEmpty() ? "" : "?" + parameters);
    }

    /** The password, or "" without one. */
    public String passwordValue() {
        return password == null ? "" : password.reveal();
    }

    @Override
    public String toString() {
        switch (type) {
            case POSTGRES:
                return "Datastore{"
                        + name
                        + ", postgres, "
                        + jdbcUrl()
                        + ", user="
                        + username
                        + '}';
            default:
                // url never holds credentials: the loader moves them to username/password
                return "Datastore{"
                        + name
                        + ", "
                        + type.name().toLowerCase(java.util.Locale.ROOT)
                        + ", "
                        + url
                        + '}';
        }
    }
}
