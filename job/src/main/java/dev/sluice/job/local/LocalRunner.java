package dev.sluice.job.local;

import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs a job on an embedded Flink that survives its own process: checkpoints are kept under the
 * state directory and the next start resumes from the newest one, so {@code kill -9} and restart is
 * exactly once. SIGTERM or Ctrl-C stops with a final savepoint (its transaction committed), which
 * the next start resumes from.
 */
public final class LocalRunner {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);

    /** A fixed job id keeps every local run's checkpoints in one directory. */
    static final JobID LOCAL_JOB_ID = JobID.fromHexString("5c01ce00000000000000000000000001");

    private final Path stateDir;
    private final Duration checkpointInterval;

    public LocalRunner(Path stateDir, Duration checkpointInterval) {
        this.stateDir = stateDir.toAbsolutePath();
        this.checkpointInterval = checkpointInterval;
    }

    /** The embedded Flink's configuration, resuming from the latest retained state if any. */
    public Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                LocalCheckpoints.checkpointsDir(stateDir).toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                LocalCheckpoints.savepointsDir(stateDir).toUri().toString());
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions
                        .EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, LOCAL_JOB_ID.toHexString());
        // Without a job classpath Flink deserializes the job with the JVM's system class loader,
        // which under `java -jar sync-job.jar` holds no Flink (Main puts it in a loader of its
        // own). Naming our code source makes Flink build a user-code loader on top of ours;
        // parent-first keeps every class — and the progress board's state — in one loader.
        conf.set(PipelineOptions.CLASSPATHS, List.of(codeSource()));
        conf.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
        Optional<Path> latest = LocalCheckpoints.latest(stateDir);
        latest.ifPresent(
                p -> {
                    LOG.info("Resuming from {}", p);
                    conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toUri().toString());
                });
        return conf;
    }

    private static String codeSource() {
        try {
            return LocalRunner.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()
                    .toURL()
                    .toString();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalStateException("Cannot locate Sluice's own code", e);
        }
    }

    /**
     * Starts the job built on {@code env}, prints progress every {@code every} until it ends, and
     * turns SIGTERM/SIGINT into a stop with savepoint.
     */
    public void run(
            StreamExecutionEnvironment env,
            String jobName,
            PrintStream out,
            Consumer<PrintStream> progress)
            throws Exception {
        JobClient client = env.executeAsync(jobName);
        CompletableFuture<Void> stopping = new CompletableFuture<>();
        Runnable stop =
                () -> {
                    if (stopping.complete(null)) {
                        out.println("Stopping: taking a final savepoint…");
                        client.stopWithSavepoint(
                                        false,
                                        LocalCheckpoints.savepointsDir(stateDir).toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .whenComplete(
                                        (path, error) -> {
                                            if (error != null) {
                                                LOG.warn(
                                                        "Stop with savepoint failed; cancelling",
                                                        error);
                                                client.cancel();
                                            } else {
                                                out.println("Savepoint written to " + path);
                                            }
                                        });
                    }
                };
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
        CompletableFuture<?> result = client.getJobExecutionResult();
        while (!result.isDone()) {
            progress.accept(out);
            try {
                result.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // print progress again
            }
        }
        progress.accept(out);
        result.get();
    }
}
