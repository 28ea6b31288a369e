package dev.sluice.job.cli;

import static dev.sluice.job.cli.CliOption.flag;
import static dev.sluice.job.cli.CliOption.option;

import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The options of {@code sync-job.jar sync}: ampsync's flags and environment variables (same names,
 * same ranges) plus Sluice's own.
 */
public final class SyncOptions {

    public static final CliOption<DatasetReference> DATASET =
            option("dataset", DatasetReference::parse)
                    .shortName("d")
                    .env("DATASET")
                    .repeatable()
                    .description(
                            "Amp dataset to sync: namespace/name@revision, name@revision,"
                                    + " namespace/name or name (e.g. _/eth_rpc@latest). Repeat"
                                    + " for several datasets in one job.")
                    .build();

    public static final CliOption<List<String>> TABLES =
            option("tables", Parsers::identifierList)
                    .shortName("t")
                    .env("TABLES")
                    .description("Comma-separated tables of each dataset, e.g. blocks,logs.")
                    .build();

    public static final CliOption<DatabaseUrl> DATABASE_URL =
            option("database-url", DatabaseUrl::parse)
                    .env("DATABASE_URL")
                    .secret()
                    .description(
                            "Target PostgreSQL: postgresql://user:password@host:5432/db"
                                    + "?sslmode=require. Or set DATABASE_USER, DATABASE_PASSWORD,"
                                    + " DATABASE_HOST, DATABASE_PORT and DATABASE_NAME.")
                    .build();

    public static final CliOption<String> AMP_FLIGHT_ADDR =
            option("amp-flight-addr", Parsers::ampAddress)
                    .env("AMP_FLIGHT_ADDR")
                    .defaultValue("http://localhost:1602")
                    .description(
                            "Amp Arrow Flight address; https:// for TLS. NOZZLE_ENDPOINT is"
                                    + " read too when AMP_FLIGHT_ADDR is not set.")
                    .build();

    public static final CliOption<String> AUTH_TOKEN =
            option("auth-token", Function.identity())
                    .env("AMP_AUTH_TOKEN")
                    .secret()
                    .description("Bearer token for the Amp server. Never logged.")
                    .build();

    public static final CliOption<Path> AUTH_TOKEN_FILE =
            option("auth-token-file", Parsers::readableFile)
                    .env("AMP_AUTH_TOKEN_FILE")
                    .description("File holding the Amp bearer token (e.g. a mounted secret).")
                    .build();

    public static final CliOption<Path> AMP_TLS_CA =
            option("amp-tls-ca", Parsers::readableFile)
                    .env("AMP_TLS_CA")
                    .description("PEM file of CA certificates to trust for an https:// Amp server.")
                    .build();

    public static final CliOption<Map.Entry<String, List<String>>> UNIQUE_KEY =
            option("unique-key", Parsers::tableKey)
                    .env("UNIQUE_KEYS")
                    .repeatable()
                    .description(
                            "TABLE=COL[;COL…]: merge that table by these columns (upserts; a reorg"
                                    + " restores prior versions) instead of appending rows. The"
                                    + " key becomes the primary key.")
                    .build();

    public static final CliOption<Integer> MAX_DB_CONNECTIONS =
            option("max-db-connections", Parsers.intBetween(1, 1000))
                    .env("MAX_DB_CONNECTIONS")
                    .defaultValue("10")
                    .description(
                            "Most PostgreSQL connections the job opens (writers + committers +"
                                    + " one for setup); bounds the parallelism.")
                    .build();

    public static final CliOption<Integer> RETENTION_BLOCKS =
            option("retention-blocks", Parsers.intAtLeast(64))
                    .env("RETENTION_BLOCKS")
                    .defaultValue("128")
                    .description(
                            "Blocks behind the head within which reorgs are rolled back; a deeper"
                                    + " reorg stops the stream with an error.")
                    .build();

    public static final CliOption<Integer> GRPC_MAX_DECODE_MB =
            option("grpc-max-decode-mb", Parsers.intBetween(1, 512))
                    .env("GRPC_MAX_DECODE_MB")
                    .defaultValue("32")
                    .description("Largest gRPC message accepted from Amp, in MiB.")
                    .build();

    public static final CliOption<Duration> CHECKPOINT_INTERVAL =
            option("checkpoint-interval", Parsers.durationAtLeast(Duration.ofMillis(100)))
                    .env("CHECKPOINT_INTERVAL")
                    .defaultValue("1s")
                    .description(
                            "Flink checkpoint interval: rows become visible in PostgreSQL when a"
                                    + " checkpoint completes, so this is the latency knob.")
                    .build();

    public static final CliOption<Integer> PARALLELISM =
            option("parallelism", Parsers.intBetween(1, 1024))
                    .shortName("p")
                    .env("PARALLELISM")
                    .description(
                            "Parallel readers and writers (default: one per stream, at most the"
                                    + " cores and what --max-db-connections allows).")
                    .build();

    public static final CliOption<String> TARGET_SCHEMA =
            option("target-schema", Parsers::identifier)
                    .env("TARGET_SCHEMA")
                    .defaultValue("public")
                    .description("PostgreSQL schema of the target tables (created if missing).")
                    .build();

    public static final CliOption<CommitMode> COMMIT_MODE =
            option("commit-mode", Parsers.oneOf(CommitMode.class))
                    .env("COMMIT_MODE")
                    .defaultValue("auto")
                    .description(
                            "prepared (two-phase commit), wal (write-ahead in Flink state, for"
                                    + " servers without prepared transactions) or auto.")
                    .build();

    public static final CliOption<Path> STATE_DIR =
            option("state-dir", Path::of)
                    .env("STATE_DIR")
                    .defaultValue(".sluice")
                    .description(
                            "Local runs: checkpoints live here, and a restart resumes from the"
                                    + " latest one.")
                    .build();

    public static final CliOption<Path> CONFIG =
            option("config", Parsers::readableFile)
                    .shortName("c")
                    .env("SLUICE_CONFIG")
                    .description(
                            "Pipeline file (YAML): datastores and pipelines (Amp datasets and"
                                    + " PostgreSQL CDC) to run in one job; see docs/pipelines.md.")
                    .build();

    public static final CliOption<Path> MANIFEST =
            option("manifest", Parsers::readableFile)
                    .shortName("m")
                    .env("DATASET_MANIFEST")
                    .description(
                            "Dataset manifest (nozzle.config.ts/.mts/.js/.mjs/.json): each table"
                                    + " a SQL query over its dependencies; the file is watched and"
                                    + " changes are applied while syncing. See docs/manifests.md.")
                    .build();

    /** The older ampsync's name for the Amp address; used when AMP_FLIGHT_ADDR is not set. */
    public static final String NOZZLE_ENDPOINT_ENV = "NOZZLE_ENDPOINT";

    /**
     * The Amp address: {@code --amp-flight-addr} or {@code AMP_FLIGHT_ADDR}, else {@code
     * NOZZLE_ENDPOINT}, else the default.
     */
    public static String ampAddress(CommandLine cl, Map<String, String> env) {
        String nozzle = env.get(NOZZLE_ENDPOINT_ENV);
        if (cl.isSet(AMP_FLIGHT_ADDR) || nozzle == null || nozzle.isBlank()) {
            return cl.get(AMP_FLIGHT_ADDR);
        }
        try {
            return Parsers.ampAddress(nozzle.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "Invalid "
                            + NOZZLE_ENDPOINT_ENV
                            + " '"
                            + nozzle
                            + "': "
                            + e.getMessage()
                            + ".");
        }
    }

    public static final CliOption<String> PIPELINE =
            option("pipeline", Function.identity())
                    .env("SLUICE_PIPELINE")
                    .description("With --config: run only the pipeline of this name.")
                    .build();

    public static final CliOption<Boolean> HELP =
            flag("help").shortName("h").description("Print this help and exit.").build();

    public static final List<CliOption<?>> ALL =
            List.of(
                    DATASET,
                    TABLES,
                    DATABASE_URL,
                    AMP_FLIGHT_ADDR,
                    AUTH_TOKEN,
                    AUTH_TOKEN_FILE,
                    AMP_TLS_CA,
                    UNIQUE_KEY,
                    MAX_DB_CONNECTIONS,
                    RETENTION_BLOCKS,
                    GRPC_MAX_DECODE_MB,
                    CHECKPOINT_INTERVAL,
                    PARALLELISM,
                    TARGET_SCHEMA,
                    COMMIT_MODE,
                    STATE_DIR,
                    CONFIG,
                    MANIFEST,
                    PIPELINE,
                    HELP);

    private SyncOptions() {}
}
