package dev.sluice.job.manifest;

import dev.sluice.job.local.LocalCheckpoints;
import dev.sluice.job.local.LocalRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a manifest on the embedded Flink, in one job for its whole life: the job's source re-plans
 * the manifest file whenever it changes ({@link ManifestStreamDiscovery}, on the embedded
 * JobManager) and starts, re-syncs and stops tables while the others keep streaming. This class
 * prints what happened — it follows the registry of table generations and the error file the
 * discovery writes — and turns a stop request into a stop with savepoint. A process restart resumes
 * from the latest checkpoint; a change made while stopped is applied on start.
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
    private volatile JobClient client;

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

    /** How many manifest changes the running job has applied. */
    public int reloads() {
        return reloads;
    }

    /** The running job (one for the whole sync), or null before it started. */
    public JobClient jobClient() {
        return client;
    }

    /** The first plan against the state directory; errors here mean nothing has started. */
    public ManifestPlan initialPlan() throws ManifestException {
        Path stateDir = config.stateDir().toAbsolutePath();
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

    /** Runs {@code plan}, and every later version of the manifest, until stopped or failed. */
    public void run(ManifestPlan plan) throws Exception {
        Path stateDir = config.stateDir().toAbsolutePath();
        plan.createMissingTables();
        plan.registry().save(stateDir);
        Files.deleteIfExists(stateDir.resolve(ManifestStreamDiscovery.ERROR_FILE));
        out.printf(
                "Syncing %d table(s) of %s into %s (state in %s); changes to the file are applied"
                        + " while syncing:%n%s",
                plan.tables().size(), file, config.jdbcUrl, stateDir, plan.describe());
        LocalRunner runner = new LocalRunner(stateDir, config.checkpointInterval);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(runner.configuration());
        env.setParallelism(config.parallelism);
        plan.addTo(env, file);
        client = env.executeAsync("sluice manifest sync");
        follow(client, stateDir, plan.registry());
    }

    /** Reports changes until the job ends (its failure is thrown) or a stop is requested. */
    private void follow(JobClient client, Path stateDir, ManifestRegistry registry)
            throws Exception {
        CompletableFuture<?> result = client.getJobExecutionResult();
        long nextProgress = System.nanoTime();
        String reported = null;
        while (true) {
            if (result.isDone()) {
                result.get();
                return;
            }
            if (stopRequested.await(config.pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("Stopping: taking a final savepoint…");
                out.println("Savepoint written to " + stopWithSavepoint(client));
                return;
            }
            if (System.nanoTime() >= nextProgress) {
                progress.accept(out);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            String problem = readError(stateDir);
            if (problem != null && !problem.equals(reported)) {
                out.println(
                        "The changed manifest is not usable; still syncing the previous version:\n"
                                + problem);
            }
            reported = problem;
            ManifestRegistry now;
            try {
                now = ManifestRegistry.load(stateDir);
            } catch (ManifestException e) {
                continue; // being replaced right now
            }
            if (!now.equals(registry)) {
                report(registry, now);
                registry = now;
                reloads++;
            }
        }
    }

    private static String readError(Path stateDir) {
        try {
            return Files.readString(stateDir.resolve(ManifestStreamDiscovery.ERROR_FILE));
        } catch (IOException e) {
            return null;
        }
    }

    /** One line naming the tables re-synced from the first block and the removed ones. */
    private void report(ManifestRegistry before, ManifestRegistry after) {
        List<String> rebuilt = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, ManifestRegistry.Entry> e : after.entries().entrySet()) {
            ManifestRegistry.Entry old = before.entries().get(e.getKey());
            if (e.getValue().active()
                    && (old == null
                            || !old.active()
                            || old.generation() != e.getValue().generation())) {
                rebuilt.add(e.getKey());
            } else if (!e.getValue().active() && old != null && old.active()) {
                removed.add(e.getKey());
            }
        }
        out.printf(
                "The manifest changed: %d table(s) to rebuild %s, %d removed %s; the other tables"
                        + " keep streaming.%n",
                rebuilt.size(), rebuilt, removed.size(), removed);
        LOG.info("Manifest changed: rebuilding {}, removing {}", rebuilt, removed);
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
                                        LocalCheckpoints.savepointsDir(config.stateDir())
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
