package dev.sluice.job.manifest;

import dev.sluice.job.local.LocalCheckpoints;
import dev.sluice.job.local.LocalRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a manifest on the embedded Flink and follows the manifest file. A change is planned first
 * (parsed, checked, schemas inferred) while the job keeps running; a bad change is reported and
 * ignored. A good one stops the job with a savepoint — every table's rows up to it committed —
 * rebuilds the tables whose SQL changed, creates the added ones, and resumes from that savepoint
 * with the new set of streams: unchanged tables continue exactly where they were, changed and added
 * ones start from the first block, removed ones are no longer read. A process restart goes through
 * the same steps, so a crash anywhere in between is recovered from the latest checkpoint.
 */
public final class ManifestSync {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestSync.class);
    private static final long STOP_TIMEOUT_MINUTES = 5;
    private static final int SAVEPOINT_ATTEMPTS = 10;
    private static final long SAVEPOINT_RETRY_DELAY_MILLIS = 1_000;

    private final Path file;
    private final ManifestSyncConfig config;
    private final ManifestPlanner planner;
    private final PrintStream out;
    private final Consumer<PrintStream> progress;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile int reloads;

    public ManifestSync(
            Path file, ManifestSyncConfig config, PrintStream out, Consumer<PrintStream> progress) {
        this.file = file;
        this.config = config;
        this.planner = new ManifestPlanner(config);
        this.out = out;
        this.progress = progress;
    }

    /** Stops the running job with a savepoint and makes {@link #run} return. */
    public void requestStop() {
        stopRequested.countDown();
    }

    /** How many manifest changes have been applied. */
    public int reloads() {
        return reloads;
    }

    /** The first plan against the state directory; errors here mean nothing has started. */
    public ManifestPlan initialPlan() throws ManifestException {
        Path stateDir = config.stateDir.toAbsolutePath();
        ManifestRegistry registry = ManifestRegistry.load(stateDir);
        if (registry.entries().isEmpty() && LocalCheckpoints.latest(stateDir).isPresent()) {
            // Without the registry, tables would get generations already used in that state and
            // could resume old progress into rebuilt tables.
            throw new ManifestException(
                    "The state directory "
                            + stateDir
                            + " holds checkpoints but no "
                            + ManifestRegistry.FILE
                            + " (which manifest tables they belong to): restore that file, or"
                            + " give an empty --state-dir.");
        }
        return planner.plan(ManifestLoader.load(file), registry);
    }

    /** Runs {@code plan} and every later version of the manifest until stopped or failed. */
    public void run(ManifestPlan first) throws Exception {
        ManifestPlan plan = first;
        ManifestWatcher watcher = new ManifestWatcher(file);
        String savepoint = null;
        while (true) {
            plan.apply(true);
            plan.registry().save(config.stateDir.toAbsolutePath());
            out.printf(
                    "Syncing %d table(s) of %s into %s (state in %s):%n%s",
                    plan.tables().size(),
                    file,
                    config.jdbcUrl,
                    config.stateDir.toAbsolutePath(),
                    plan.describe());
            LocalRunner runner = new LocalRunner(config.stateDir, config.checkpointInterval);
            Configuration conf = runner.configuration();
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(config.parallelism);
            plan.jobPlan().addTo(env, config.parallelism);
            JobClient client = env.executeAsync("sluice manifest sync");
            ManifestPlan next = follow(client, plan, watcher);
            if (next == null) {
                return;
            }
            savepoint = stopWithSavepoint(client);
            plan = next;
            reloads++;
        }
    }

    /**
     * Waits for the job to end (returns null), a stop request (stops it, returns null) or a usable
     * manifest change (returns its plan; the job is still running).
     */
    private ManifestPlan follow(JobClient client, ManifestPlan plan, ManifestWatcher watcher)
            throws Exception {
        CompletableFuture<?> result = client.getJobExecutionResult();
        long nextProgress = System.nanoTime();
        while (true) {
            if (result.isDone()) {
                result.get();
                return null;
            }
            if (stopRequested.await(config.pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("Stopping: taking a final savepoint…");
                out.println("Savepoint written to " + stopWithSavepoint(client));
                return null;
            }
            if (System.nanoTime() >= nextProgress) {
                progress.accept(out);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            if (!watcher.changed()) {
                continue;
            }
            ManifestPlan next;
            try {
                next = planner.plan(ManifestLoader.load(file), plan.registry());
            } catch (ManifestException e) {
                LOG.warn("Manifest change ignored: {}", e.getMessage());
                out.println(
                        "The changed manifest is not usable; still syncing the previous version:\n"
                                + e.getMessage());
                continue;
            }
            if (next.sameStreamsAs(plan)) {
                out.println("The manifest changed but its tables and queries did not.");
                continue;
            }
            out.printf(
                    "The manifest changed: %d table(s) to rebuild %s, %d removed %s. Stopping"
                            + " with a savepoint to switch.%n",
                    next.rebuilt().size(), next.rebuilt(), next.removed().size(), next.removed());
            LOG.info(
                    "Manifest changed: rebuilding {}, removing {}", next.rebuilt(), next.removed());
            return next;
        }
    }

    /**
     * Stops the job with a savepoint; a failed savepoint (say, a database connection dropped during
     * it) leaves the job running and recovering, so it is tried again a few times.
     */
    private String stopWithSavepoint(JobClient client) throws Exception {
        String path = null;
        for (int attempt = 1; path == null; attempt++) {
            try {
                path =
                        client.stopWithSavepoint(
                                        false,
                                        LocalCheckpoints.savepointsDir(config.stateDir)
                                                .toUri()
                                                .toString(),
                                        SavepointFormatType.CANONICAL)
                                .get(STOP_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (attempt >= SAVEPOINT_ATTEMPTS || client.getJobExecutionResult().isDone()) {
                    throw e;
                }
                LOG.warn(
                        "Stop with savepoint failed (attempt {} of {}); the job keeps running,"
                                + " trying again",
                        attempt,
                        SAVEPOINT_ATTEMPTS,
                        e);
                out.println("The savepoint failed (" + e.getCause() + "); trying again…");
                Thread.sleep(SAVEPOINT_RETRY_DELAY_MILLIS * attempt);
            }
        }
        try {
            client.getJobExecutionResult().get(STOP_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            throw new IOException("The job did not end after its savepoint " + path, e);
        }
        LOG.info("Stopped with savepoint {}", path);
        return path;
    }
}
