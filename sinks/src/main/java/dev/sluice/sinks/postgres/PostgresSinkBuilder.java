package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.sluice.sinks.postgres.internal.Gids;
import dev.sluice.sinks.postgres.internal.JdbcUrls;
import dev.sluice.sinks.postgres.internal.PostgresSinkConfig;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Builds a {@link PostgresSink}. Every setter maps to one option of {@link PostgresSinkOptions};
 * {@link #setConfiguration} takes them all at once. Checks happen in {@link #build()}.
 *
 * <pre>{@code
 * PostgresSink sink = PostgresSink.builder()
 *     .setJdbcUrl("jdbc:postgresql://db:5432/chain")
 *     .setUser("sluice").setPassword(secret)
 *     .setTransactionalIdPrefix("eth-mainnet")
 *     .build();
 * }</pre>
 */
public final class PostgresSinkBuilder {

    private final Configuration conf = new Configuration();

    PostgresSinkBuilder() {}

    /** Copies every sink option set in {@code config} (others keep their defaults). */
    public PostgresSinkBuilder setConfiguration(ReadableConfig config) {
        checkNotNull(config);
        copy(config, PostgresSinkOptions.URL);
        copy(config, PostgresSinkOptions.USER);
        copy(config, PostgresSinkOptions.PASSWORD);
        copy(config, PostgresSinkOptions.COMMIT_MODE);
        copy(config, PostgresSinkOptions.TRANSACTIONAL_ID_PREFIX);
        copy(config, PostgresSinkOptions.LOCK_TIMEOUT);
        copy(config, PostgresSinkOptions.MAX_DB_CONNECTIONS);
        copy(config, PostgresSinkOptions.RETRY_INITIAL_BACKOFF);
        copy(config, PostgresSinkOptions.RETRY_MAX_BACKOFF);
        copy(config, PostgresSinkOptions.RETRY_MAX_ATTEMPTS);
        copy(config, PostgresSinkOptions.MARKER_SCHEMA);
        copy(config, PostgresSinkOptions.COPY_CHUNK_SIZE);
        copy(config, PostgresSinkOptions.MARKER_RETENTION);
        return this;
    }

    private <T> void copy(ReadableConfig from, org.apache.flink.configuration.ConfigOption<T> o) {
        from.getOptional(o).ifPresent(v -> conf.set(o, v));
    }

    public PostgresSinkBuilder setJdbcUrl(String url) {
        conf.set(PostgresSinkOptions.URL, checkNotNull(url));
        return this;
    }

    public PostgresSinkBuilder setUser(String user) {
        conf.set(PostgresSinkOptions.USER, checkNotNull(user));
        return this;
    }

    public PostgresSinkBuilder setPassword(String password) {
        conf.set(PostgresSinkOptions.PASSWORD, checkNotNull(password));
        return this;
    }

    public PostgresSinkBuilder setCommitMode(CommitMode mode) {
        conf.set(PostgresSinkOptions.COMMIT_MODE, checkNotNull(mode));
        return this;
    }

    public PostgresSinkBuilder setTransactionalIdPrefix(String prefix) {
        conf.set(PostgresSinkOptions.TRANSACTIONAL_ID_PREFIX, checkNotNull(prefix));
        return this;
    }

    public PostgresSinkBuilder setLockTimeout(Duration timeout) {
        conf.set(PostgresSinkOptions.LOCK_TIMEOUT, checkNotNull(timeout));
        return this;
    }

    public PostgresSinkBuilder setMaxDbConnections(int max) {
        conf.set(PostgresSinkOptions.MAX_DB_CONNECTIONS, max);
        return this;
    }

    public PostgresSinkBuilder setRetryBackoff(Duration initial, Duration max) {
        conf.set(PostgresSinkOptions.RETRY_INITIAL_BACKOFF, checkNotNull(initial));
        conf.set(PostgresSinkOptions.RETRY_MAX_BACKOFF, checkNotNull(max));
        return this;
    }

    public PostgresSinkBuilder setRetryMaxAttempts(int attempts) {
        conf.set(PostgresSinkOptions.RETRY_MAX_ATTEMPTS, attempts);
        return this;
    }

    public PostgresSinkBuilder setMarkerSchema(String schema) {
        conf.set(PostgresSinkOptions.MARKER_SCHEMA, checkNotNull(schema));
        return this;
    }

    public PostgresSinkBuilder setMarkerRetention(Duration retention) {
        conf.set(PostgresSinkOptions.MARKER_RETENTION, checkNotNull(retention));
        return this;
    }

    /** Validates every option and builds the sink. */
    public PostgresSink build() {
        String url = conf.get(PostgresSinkOptions.URL);
        checkArgument(
                url != null && url.startsWith("jdbc:postgresql:"),
                "%s must be a jdbc:postgresql: URL, got %s",
                PostgresSinkOptions.URL.key(),
                JdbcUrls.scrub(url));
        String prefix = conf.get(PostgresSinkOptions.TRANSACTIONAL_ID_PREFIX);
        checkArgument(
                Gids.validPrefix(prefix),
                "%s may only contain letters, digits, '_', '.' and '-' (1 to 100 characters),"
                        + " got '%s'",
                PostgresSinkOptions.TRANSACTIONAL_ID_PREFIX.key(),
                prefix);
        Duration lockTimeout = conf.get(PostgresSinkOptions.LOCK_TIMEOUT);
        checkArgument(
                !lockTimeout.isNegative() && !lockTimeout.isZero(),
                "%s must be positive (0 would wait forever on locks), got %s",
                PostgresSinkOptions.LOCK_TIMEOUT.key(),
                lockTimeout);
        int max = conf.get(PostgresSinkOptions.MAX_DB_CONNECTIONS);
        checkArgument(
                max >= 2 && max <= 1000,
                "%s must be between 2 and 1000 (one writer + one committer per subtask), got %s",
                PostgresSinkOptions.MAX_DB_CONNECTIONS.key(),
                max);
        Duration initial = conf.get(PostgresSinkOptions.RETRY_INITIAL_BACKOFF);
        Duration maxBackoff = conf.get(PostgresSinkOptions.RETRY_MAX_BACKOFF);
        checkArgument(
                !initial.isNegative() && initial.compareTo(maxBackoff) <= 0,
                "%s (%s) must be >= 0 and <= %s (%s)",
                PostgresSinkOptions.RETRY_INITIAL_BACKOFF.key(),
                initial,
                PostgresSinkOptions.RETRY_MAX_BACKOFF.key(),
                maxBackoff);
        int attempts = conf.get(PostgresSinkOptions.RETRY_MAX_ATTEMPTS);
        checkArgument(
                attempts >= 1,
                "%s must be at least 1, got %s",
                PostgresSinkOptions.RETRY_MAX_ATTEMPTS.key(),
                attempts);
        String markerSchema = conf.get(PostgresSinkOptions.MARKER_SCHEMA);
        checkArgument(
                markerSchema != null && !markerSchema.isEmpty(),
                "%s must not be empty",
                PostgresSinkOptions.MARKER_SCHEMA.key());
        long chunk = conf.get(PostgresSinkOptions.COPY_CHUNK_SIZE).getBytes();
        checkArgument(
                chunk >= 4096 && chunk <= 256L << 20,
                "%s must be between 4 KiB and 256 MiB, got %s bytes",
                PostgresSinkOptions.COPY_CHUNK_SIZE.key(),
                chunk);
        Duration retention = conf.get(PostgresSinkOptions.MARKER_RETENTION);
        checkArgument(
                retention.compareTo(Duration.ofHours(1)) >= 0,
                "%s must be at least 1 hour, got %s",
                PostgresSinkOptions.MARKER_RETENTION.key(),
                retention);
        return new PostgresSink(
                new PostgresSinkConfig(
                        url,
                        conf.get(PostgresSinkOptions.USER),
                        conf.get(PostgresSinkOptions.PASSWORD),
                        conf.get(PostgresSinkOptions.COMMIT_MODE),
                        prefix,
                        lockTimeout,
                        max,
                        initial,
                        maxBackoff,
                        attempts,
                        markerSchema,
                        (int) chunk,
                        retention));
    }
}
