package dev.sluice.job;

import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.DatabaseUrl;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.job.cli.UsageException;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The validated settings of one {@code sync} run; every check happens before any connection. */
public final class SyncSettings {

    final List<DatasetReference> datasets;
    final List<String> tables;
    final DatabaseUrl database;
    final String ampAddress;
    final String authToken;
    final Path ampTlsCa;
    final Map<String, List<String>> uniqueKeys = new java.util.LinkedHashMap<>();
    final int maxDbConnections;
    final int retentionBlocks;
    final int grpcMaxDecodeMb;
    final Duration checkpointInterval;
    final Integer parallelism;
    final String targetSchema;
    final CommitMode commitMode;
    final Path stateDir;

    private SyncSettings(CommandLine cl, Map<String, String> env) {
        datasets = cl.getAll(SyncOptions.DATASET);
        if (datasets.isEmpty()) {
            throw new UsageException(
                    "No dataset given: set --dataset (or DATASET), e.g. --dataset"
                            + " _/eth_rpc@latest.");
        }
        tables = cl.get(SyncOptions.TABLES);
        if (tables == null) {
            throw new UsageException(
                    "No tables given: set --tables (or TABLES), e.g. --tables blocks,logs.");
        }
        DatabaseUrl db = cl.get(SyncOptions.DATABASE_URL);
        if (db == null) {
            db = DatabaseUrl.fromParts(env);
        }
        if (db == null) {
            throw new UsageException(
                    "No target database given: set --database-url (or DATABASE_URL), e.g."
                            + " postgresql://user:password@localhost:5432/db.");
        }
        database = db;
        ampAddress = SyncOptions.ampAddress(cl, env);
        authToken = token(cl);
        ampTlsCa = cl.get(SyncOptions.AMP_TLS_CA);
        for (Map.Entry<String, List<String>> key : cl.getAll(SyncOptions.UNIQUE_KEY)) {
            if (uniqueKeys.put(key.getKey(), key.getValue()) != null) {
                throw new UsageException(
                        "--unique-key gives table '" + key.getKey() + "' twice; give it once.");
            }
            if (!tables.contains(key.getKey())) {
                throw new UsageException(
                        "--unique-key names table '"
                                + key.getKey()
                                + "', which is not among --tables "
                                + tables
                                + ".");
            }
        }
        maxDbConnections = cl.get(SyncOptions.MAX_DB_CONNECTIONS);
        retentionBlocks = cl.get(SyncOptions.RETENTION_BLOCKS);
        grpcMaxDecodeMb = cl.get(SyncOptions.GRPC_MAX_DECODE_MB);
        checkpointInterval = cl.get(SyncOptions.CHECKPOINT_INTERVAL);
        parallelism = cl.get(SyncOptions.PARALLELISM);
        targetSchema = cl.get(SyncOptions.TARGET_SCHEMA);
        commitMode = cl.get(SyncOptions.COMMIT_MODE);
        stateDir = cl.get(SyncOptions.STATE_DIR);
        if (parallelism != null && 2 * parallelism > maxDbConnections) {
            throw new UsageException(
                    "--parallelism "
                            + parallelism
                            + " needs "
                            + 2 * parallelism
                            + " database connections (a writer and a committer per subtask) but"
                            + " --max-db-connections is "
                            + maxDbConnections
                            + ": raise it or lower the parallelism.");
        }
        if (maxDbConnections < 2) {
            throw new UsageException(
                    "--max-db-connections 1 is too low: the exactly-once sink needs a writer and a"
                            + " committer connection, so at least 2.");
        }
    }

    public static SyncSettings from(CommandLine cl, Map<String, String> env) {
        return new SyncSettings(cl, env);
    }

    private static String token(CommandLine cl) {
        String token = cl.get(SyncOptions.AUTH_TOKEN);
        Path file = cl.get(SyncOptions.AUTH_TOKEN_FILE);
        if (token != null && file != null) {
            throw new UsageException(
                    "Both --auth-token and --auth-token-file are set (flags or AMP_AUTH_TOKEN /"
                            + " AMP_AUTH_TOKEN_FILE): give one.");
        }
        if (file != null) {
            try {
                token = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UsageException(
                        "Cannot read --auth-token-file " + file + ": " + e.getMessage());
            }
            if (token.isEmpty()) {
                throw new UsageException("--auth-token-file " + file + " is empty.");
            }
        }
        return token;
    }

    /** Streams to run: each dataset × each table. */
    int streamCount() {
        return datasets.size() * tables.size();
    }

    /** Default parallelism: a reader and writer per stream, within cores and connections. */
    int effectiveParallelism() {
        if (parallelism != null) {
            return parallelism;
        }
        int byConnections = Math.max(1, maxDbConnections / 2);
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(streamCount(), Math.min(cores, byConnections)));
    }
}
