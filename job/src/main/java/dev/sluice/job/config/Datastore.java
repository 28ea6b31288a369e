package dev.sluice.job.config;

import java.io.Serializable;

/**
 * A named connection of the pipeline file: a PostgreSQL database (source or target) or an Amp
 * server. Secrets are {@link Secret}s, so printing a datastore never shows them.
 */
public final class Datastore implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What a datastore is. */
    public enum Type {
        POSTGRES,
        AMP
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

    // amp
    public final String url;
    public final Secret authToken;

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
        return type == Type.AMP
                ? "Datastore{" + name + ", amp, " + url + '}'
                : "Datastore{" + name + ", postgres, " + jdbcUrl() + ", user=" + username + '}';
    }
}
