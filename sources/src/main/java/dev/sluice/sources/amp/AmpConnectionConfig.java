package dev.sluice.sources.amp;

import static dev.sluice.sources.amp.AmpSourceOptions.AUTH_TOKEN;
import static dev.sluice.sources.amp.AmpSourceOptions.ENDPOINT;
import static dev.sluice.sources.amp.AmpSourceOptions.KEEP_ALIVE_TIMEOUT;
import static dev.sluice.sources.amp.AmpSourceOptions.MAX_MESSAGE_SIZE;
import static dev.sluice.sources.amp.AmpSourceOptions.NO_DATA_POLL_INTERVAL;
import static dev.sluice.sources.amp.AmpSourceOptions.QUEUE_CAPACITY;
import static dev.sluice.sources.amp.AmpSourceOptions.RECONNECT_INITIAL_BACKOFF;
import static dev.sluice.sources.amp.AmpSourceOptions.RECONNECT_MAX_BACKOFF;
import static dev.sluice.sources.amp.AmpSourceOptions.RECONNECT_TIMEOUT;
import static dev.sluice.sources.amp.AmpSourceOptions.TLS_CA_FILE;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Everything needed to talk to an Amp server, validated once and shipped to the readers. The CA
 * certificates are read here, on the client, so TaskManagers need no copy of the file. The token
 * never appears in {@link #toString()}.
 */
public final class AmpConnectionConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final String host;
    private final int port;
    private final boolean tls;
    private final String authToken;
    private final byte[] trustedCertificates;
    private final int maxMessageSize;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration reconnectTimeout;
    private final Duration keepAliveTimeout;
    private final Duration noDataPollInterval;
    private final int queueCapacity;

    private AmpConnectionConfig(ReadableConfig config) {
        this.endpoint = config.get(ENDPOINT);
        URI uri;
        try {
            uri = URI.create(endpoint.trim());
        } catch (IllegalArgumentException e) {
            throw invalidEndpoint();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http":
            case "grpc":
            case "grpc+tcp":
                tls = false;
                break;
            case "https":
            case "grpc+tls":
                tls = true;
                break;
            default:
                throw invalidEndpoint();
        }
        if (uri.getHost() == null) {
            throw invalidEndpoint();
        }
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        this.authToken = config.getOptional(AUTH_TOKEN).filter(t -> !t.isBlank()).orElse(null);
        this.trustedCertificates =
                config.getOptional(TLS_CA_FILE).map(AmpConnectionConfig::readCa).orElse(null);
        long maxBytes = config.get(MAX_MESSAGE_SIZE).getBytes();
        if (maxBytes < 1024 * 1024 || maxBytes > 512L * 1024 * 1024) {
            throw new IllegalArgumentException(
                    MAX_MESSAGE_SIZE.key() + " must be between 1 MiB and 512 MiB, not " + maxBytes);
        }
        this.maxMessageSize = (int) maxBytes;
        this.initialBackoff =
                positive(config.get(RECONNECT_INITIAL_BACKOFF), RECONNECT_INITIAL_BACKOFF.key());
        this.maxBackoff = positive(config.get(RECONNECT_MAX_BACKOFF), RECONNECT_MAX_BACKOFF.key());
        this.reconnectTimeout = positive(config.get(RECONNECT_TIMEOUT), RECONNECT_TIMEOUT.key());
        this.keepAliveTimeout = positive(config.get(KEEP_ALIVE_TIMEOUT), KEEP_ALIVE_TIMEOUT.key());
        this.noDataPollInterval =
                positive(config.get(NO_DATA_POLL_INTERVAL), NO_DATA_POLL_INTERVAL.key());
        this.queueCapacity = config.get(QUEUE_CAPACITY);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException(QUEUE_CAPACITY.key() + " must be at least 1");
        }
    }

    /**
     * Validates the options; every problem is an {@link IllegalArgumentException} saying what to
     * fix.
     */
    public static AmpConnectionConfig from(ReadableConfig config) {
        return new AmpConnectionConfig(config);
    }

    private IllegalArgumentException invalidEndpoint() {
        return new IllegalArgumentException(
                "Invalid Amp endpoint '"
                        + endpoint
                        + "': expected http://host:port or grpc://host:port (plain text), or"
                        + " https://host:port or grpc+tls://host:port (TLS), e.g."
                        + " http://localhost:1602");
    }

    private static Duration positive(Duration d, String key) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, not " + d);
        }
        return d;
    }

    private static byte[] readCa(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the CA certificate file " + file + " (" + TLS_CA_FILE.key() + ")",
                    e);
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    /** The bearer token, or null. Never log it. */
    public String authToken() {
        return authToken;
    }

    public byte[] trustedCertificates() {
        return trustedCertificates;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration reconnectTimeout() {
        return reconnectTimeout;
    }

    public Duration keepAliveTimeout() {
        return keepAliveTimeout;
    }

    public Duration noDataPollInterval() {
        return noDataPollInterval;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    @Override
    public String toString() {
        return "AmpConnectionConfig("
                + endpoint
                + (authToken != null ? ", token ****" : "")
                + (trustedCertificates != null ? ", custom CA" : "")
                + ")";
    }
}
