package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sinks.postgres.TableRef;
import java.io.Serializable;
import java.time.Duration;

/** Validated, immutable settings of one sink; the password never appears in {@link #toString}. */
public final class PostgresSinkConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String MARKER_TABLE = "sluice_sink_commits";

    public final String url;
    public final String user;
    public final String password;
    public final CommitMode commitMode;
    public final String prefix;
    public final Duration lockTimeout;
    public final int maxConnections;
    public final Duration initialBackoff;
    public final Duration maxBackoff;
    public final int maxAttempts;
    public final String markerSchema;
    public final int copyChunkSize;
    public final Duration markerRetention;

    public PostgresSinkConfig(
            String url,
            String user,
            String password,
            CommitMode commitMode,
            String prefix,
            Duration lockTimeout,
            int maxConnections,
            Duration initialBackoff,
            Duration maxBackoff,
            int maxAttempts,
            String markerSchema,
            int copyChunkSize,
            Duration markerRetention) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.commitMode = commitMode;
        this.prefix = prefix;
        this.lockTimeout = lockTimeout;
        this.maxConnections = maxConnections;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxAttempts = maxAttempts;
        this.markerSchema = markerSchema;
        this.copyChunkSize = copyChunkSize;
        this.markerRetention = markerRetention;
    }

    public TableRef markerTable() {
        return new TableRef(markerSchema, MARKER_TABLE);
    }

    @Override
    public String toString() {
        return "PostgresSinkConfig{url="
                + JdbcUrls.scrub(url)
                + ", user="
                + user
                + ", commitMode="
                + commitMode
                + ", prefix="
                + prefix
                + ", lockTimeout="
                + lockTimeout
                + ", maxConnections="
                + maxConnections
                + ", backoff="
                + initialBackoff
                + ".."
                + maxBackoff
                + ", maxAttempts="
                + maxAttempts
                + ", markerTable="
                + markerTable()
                + '}';
    }
}
