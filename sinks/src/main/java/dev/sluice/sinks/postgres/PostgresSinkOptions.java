package dev.sluice.sinks.postgres;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Every option of the PostgreSQL sink, declared once; the CLI, env and YAML feed these. */
public final class PostgresSinkOptions {

    private PostgresSinkOptions() {}

    public static final ConfigOption<String> URL =
            ConfigOptions.key("sink.postgres.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL of the target database (jdbc:postgresql://host:port/db)."
                                    + " Required. Credentials in the URL are accepted but never"
                                    + " logged.");

    public static final ConfigOption<String> USER =
            ConfigOptions.key("sink.postgres.user")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Database user. No default: the URL's or the driver's default is"
                                    + " used. Writers and committers must use the same user.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("sink.postgres.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Database password. No default; never logged.");

    public static final ConfigOption<CommitMode> COMMIT_MODE =
            ConfigOptions.key("sink.postgres.commit-mode")
                    .enumType(CommitMode.class)
                    .defaultValue(CommitMode.AUTO)
                    .withDescription(
                            "How checkpoints commit: 'prepared' (two-phase commit with PREPARE"
                                    + " TRANSACTION; needs max_prepared_transactions > 0), 'wal'"
                                    + " (records kept in Flink state and applied in one"
                                    + " transaction on checkpoint completion) or 'auto' (default:"
                                    + " 'prepared' when the server allows it, else 'wal').");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("sink.postgres.transactional-id-prefix")
                    .stringType()
                    .defaultValue("sluice")
                    .withDescription(
                            "Prefix of prepared transaction ids (<prefix>-<subtask>-<checkpoint>)."
                                    + " Default 'sluice'. Must be stable across restarts and"
                                    + " unique per sink writing to the same database; letters,"
                                    + " digits, '_', '.' and '-' only, at most 100 characters."
                                    + " Changing it orphans prepared transactions of the old"
                                    + " prefix unless they are in restored state.");

    public static final ConfigOption<Duration> LOCK_TIMEOUT =
            ConfigOptions.key("sink.postgres.lock-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "lock_timeout of writer and committer sessions. Default 30 s. A lock"
                                    + " wait (e.g. on a row held by a prepared transaction) fails"
                                    + " after this time instead of hanging; the task then fails"
                                    + " and restarts from the checkpoint.");

    public static final ConfigOption<Integer> MAX_DB_CONNECTIONS =
            ConfigOptions.key("sink.postgres.max-db-connections")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Budget of database connections of the sink (1..1000). Default 10."
                                    + " Each parallel subtask uses one writer connection (prepared"
                                    + " mode) and one committer connection, so 2 × parallelism"
                                    + " must fit, or the job fails at start.");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            ConfigOptions.key("sink.postgres.retry.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(50))
                    .withDescription(
                            "First back-off after a transient error (connect, commit). Default"
                                    + " 50 ms; doubles per attempt up to the max back-off.");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            ConfigOptions.key("sink.postgres.retry.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Largest back-off between retries. Default 5 s.");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
            ConfigOptions.key("sink.postgres.retry.max-attempts")
                    .intType()
                    .defaultValue(50)
                    .withDescription(
                            "Attempts on transient errors (SQLSTATE 53300, 53400, 40001, 40P01,"
                                    + " 08xxx, 57P0x, I/O) before the task fails. Default 50."
                                    + " Rows are never re-sent inside a transaction: a broken"
                                    + " writer transaction fails the task at once and Flink"
                                    + " replays from the checkpoint.");

    public static final ConfigOption<String> MARKER_SCHEMA =
            ConfigOptions.key("sink.postgres.marker-schema")
                    .stringType()
                    .defaultValue("public")
                    .withDescription(
                            "Schema of the sink-owned marker table sluice_sink_commits (one row"
                                    + " per committed transaction, used to tell 'already"
                                    + " committed' from 'lost'). Default 'public'.");

    public static final ConfigOption<Duration> MARKER_RETENTION =
            ConfigOptions.key("sink.postgres.marker-retention")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "How long marker rows are kept. Default 7 days. A commit replayed"
                                    + " from a checkpoint older than this cannot be told apart"
                                    + " from lost data and fails the job, so keep it longer than"
                                    + " the oldest checkpoint or savepoint you might restore.");

    public static final ConfigOption<MemorySize> COPY_CHUNK_SIZE =
            ConfigOptions.key("sink.postgres.copy-chunk-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1mb"))
                    .withDescription(
                            "Bytes of COPY data encoded before each write to the server. Default"
                                    + " 1 MiB; larger chunks mean fewer calls and more memory.");
}
