package dev.sluice.job;

import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.DatabaseUrl;
import dev.sluice.job.cli.Parallelism;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.job.cli.UsageException;
import dev.sluice.job.local.ProgressPrinter;
import dev.sluice.job.manifest.ManifestException;
import dev.sluice.job.manifest.ManifestLoader;
import dev.sluice.job.manifest.ManifestPlan;
import dev.sluice.job.manifest.ManifestPlanner;
import dev.sluice.job.manifest.ManifestRegistry;
import dev.sluice.job.manifest.ManifestSync;
import dev.sluice.job.manifest.ManifestSyncConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import sun.misc.Signal;

/**
 * {@code sync --manifest FILE} (or {@code DATASET_MANIFEST}): syncs the tables of a dataset
 * manifest. A malformed manifest or rejected SQL is exit 2 with the file, line or table; an Amp
 * server that refuses a query or an unreachable database is exit 1. The running job follows the
 * manifest file and applies changes without restarting (see {@link ManifestSync}); on a cluster the
 * JobManager reads the file and the state directory, so both must be on its file system.
 */
final class ManifestCommand {

    private ManifestCommand() {}

    static int run(CommandLine cl, Map<String, String> env, PrintStream out, PrintStream err)
            throws Exception {
        Path file = cl.get(SyncOptions.MANIFEST);
        ManifestSyncConfig config;
        try {
            config = config(cl, env);
            ManifestLoader.load(file);
        } catch (UsageException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (ManifestException e) {
            err.println(e.getMessage());
            return 2;
        }
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean local = probe instanceof LocalStreamEnvironment;
        ManifestSync sync = new ManifestSync(file, config, out, new ProgressPrinter()::print);
        ManifestPlan plan;
        try {
            plan =
                    local
                            ? sync.initialPlan()
                            : new ManifestPlanner(config)
                                    .plan(
                                            ManifestLoader.load(file),
                                            ManifestRegistry.load(config.stateDir()));
        } catch (ManifestException e) {
            err.println(e.getMessage());
            return e.isSetup() ? 1 : 2;
        }
        if (local) {
            Signal.handle(new Signal("TERM"), s -> sync.requestStop());
            Signal.handle(new Signal("INT"), s -> sync.requestStop());
            try {
                sync.run(plan);
            } catch (ManifestException e) {
                err.println(e.getMessage());
                return 1;
            }
            return 0;
        }
        try {
            plan.createMissingTables();
        } catch (ManifestException e) {
            err.println(e.getMessage());
            return 1;
        }
        out.println(
                "Submitting "
                        + plan.tables().size()
                        + " manifest table(s). The JobManager re-reads "
                        + file.toAbsolutePath()
                        + " and keeps table generations in "
                        + config.stateDir().toAbsolutePath()
                        + ": both paths must be on its file system (a shared volume or a"
                        + " ConfigMap), the state directory writable and kept across restarts.");
        probe.enableCheckpointing(cl.get(SyncOptions.CHECKPOINT_INTERVAL).toMillis());
        probe.setParallelism(config.parallelism());
        plan.addTo(probe, file);
        probe.execute("sluice manifest sync");
        return 0;
    }

    /** The connection settings and knobs from flags and environment, checked. */
    static ManifestSyncConfig config(CommandLine cl, Map<String, String> env) {
        if (!cl.getAll(SyncOptions.DATASET).isEmpty() || cl.isSet(SyncOptions.TABLES)) {
            throw new UsageException(
                    "--manifest names the datasets and tables itself: leave out --dataset and"
                            + " --tables (DATASET, TABLES).");
        }
        DatabaseUrl db = cl.get(SyncOptions.DATABASE_URL);
        if (db == null) {
            db = DatabaseUrl.fromParts(env);
        }
        if (db == null) {
            throw new UsageException(
                    "No target database given: set --database-url (or DATABASE_URL, or"
                            + " DATABASE_USER, DATABASE_PASSWORD, DATABASE_HOST, DATABASE_PORT and"
                            + " DATABASE_NAME).");
        }
        String endpoint = SyncOptions.ampAddress(cl, env);
        String token = cl.get(SyncOptions.AUTH_TOKEN);
        if (token == null && cl.get(SyncOptions.AUTH_TOKEN_FILE) != null) {
            try {
                token = java.nio.file.Files.readString(cl.get(SyncOptions.AUTH_TOKEN_FILE)).trim();
            } catch (java.io.IOException e) {
                throw new UsageException("Cannot read --auth-token-file: " + e.getMessage());
            }
        }
        int maxConnections = cl.get(SyncOptions.MAX_DB_CONNECTIONS);
        if (maxConnections < 2) {
            throw new UsageException(
                    "--max-db-connections 1 is too low: the exactly-once sink needs a writer and a"
                            + " committer connection, so at least 2.");
        }
        int parallelism = Parallelism.of(cl.get(SyncOptions.PARALLELISM), maxConnections, 1);
        return new ManifestSyncConfig()
                .amp(
                        endpoint,
                        token,
                        cl.get(SyncOptions.AMP_TLS_CA),
                        cl.get(SyncOptions.GRPC_MAX_DECODE_MB))
                .database(db.jdbcUrl(), db.user(), db.password(), cl.get(SyncOptions.TARGET_SCHEMA))
                .sink(
                        cl.get(SyncOptions.COMMIT_MODE),
                        maxConnections,
                        cl.get(SyncOptions.RETENTION_BLOCKS))
                .parallelism(parallelism)
                .local(cl.get(SyncOptions.STATE_DIR), cl.get(SyncOptions.CHECKPOINT_INTERVAL));
    }
}
