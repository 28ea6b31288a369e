package dev.sluice.sources.amp;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Every knob of the Amp source, declared once. */
public final class AmpSourceOptions {

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("source.amp.endpoint")
                    .stringType()
                    .defaultValue("http://localhost:1602")
                    .withDescription(
                            "Amp Flight address. http:// or grpc:// connects in plain text,"
                                    + " https:// or grpc+tls:// with TLS (system trust store, or"
                                    + " source.amp.tls.ca-file).");

    public static final ConfigOption<String> AUTH_TOKEN =
            ConfigOptions.key("source.amp.auth-token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Bearer token sent as 'authorization: Bearer <token>' on every call."
                                    + " Never logged.");

    public static final ConfigOption<String> TLS_CA_FILE =
            ConfigOptions.key("source.amp.tls.ca-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PEM file of CA certificates to trust for https:// endpoints instead"
                                    + " of the system trust store.");

    public static final ConfigOption<MemorySize> MAX_MESSAGE_SIZE =
            ConfigOptions.key("source.amp.max-message-size")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(32))
                    .withDescription(
                            "Largest gRPC message accepted from the server (ampsync's"
                                    + " --grpc-max-decode-mb). Default 32 MiB; Amp sends ~2 MiB"
                                    + " batches.");

    public static final ConfigOption<Duration> RECONNECT_INITIAL_BACKOFF =
            ConfigOptions.key("source.amp.reconnect.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "First wait before reconnecting after the server went away; doubles"
                                    + " on each further failure.");

    public static final ConfigOption<Duration> RECONNECT_MAX_BACKOFF =
            ConfigOptions.key("source.amp.reconnect.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Longest wait between two reconnect attempts.");

    public static final ConfigOption<Duration> RECONNECT_TIMEOUT =
            ConfigOptions.key("source.amp.reconnect.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long a stream keeps reconnecting without receiving anything"
                                    + " before it fails the job with the last error. Transient"
                                    + " outages shorter than this never fail the job.");

    public static final ConfigOption<Duration> KEEP_ALIVE_TIMEOUT =
            ConfigOptions.key("source.amp.keep-alive-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(90))
                    .withDescription(
                            "Longest silence tolerated while a microbatch is in progress (Amp"
                                    + " sends keep-alives every 30 s then) before the connection"
                                    + " is treated as dead and re-established. Idle streams at"
                                    + " the chain head are never timed out.");

    public static final ConfigOption<Duration> NO_DATA_POLL_INTERVAL =
            ConfigOptions.key("source.amp.no-data-poll-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "When a dataset has no data yet the server ends the stream; the"
                                    + " source asks again after this interval.");

    public static final ConfigOption<Integer> QUEUE_CAPACITY =
            ConfigOptions.key("source.amp.queue-capacity")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Batches buffered between the Flight reading threads and the task"
                                    + " per reader. Bounds memory (~2 MiB a batch); a full queue"
                                    + " slows the server down through gRPC flow control.");

    private AmpSourceOptions() {}
}
