package dev.sluice.job;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.job.cli.UsageException;
import dev.sluice.job.local.LocalRunner;
import dev.sluice.job.local.ProgressPrinter;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpSourceBuilder;
import dev.sluice.sources.amp.AmpSourceOptions;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.io.PrintStream;
import java.util.Map;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code sync}: syncs Amp datasets into PostgreSQL. Everything the user typed is checked first
 * (exit 2 with one line); then both servers are contacted to create the target tables (exit 1 with
 * one line if that fails); then the job runs on the cluster that submitted it ({@code flink run})
 * or on an embedded Flink that resumes from its state directory.
 */
final class SyncCommand {

    static final String USAGE =
            "Usage: sync-job.jar [sync] --dataset <ref> --tables <t1,t2> --database-url <url>"
                + " [options]\n\n"
                + "       sync-job.jar [sync] --config pipelines.yaml [--pipeline NAME]"
                + " [options]\n\n"
                + "       sync-job.jar [sync] --manifest nozzle.config.ts --database-url <url>"
                + " [options]\n\n"
                + "Syncs Amp datasets into PostgreSQL exactly once, rolling back chain reorgs.\n\n"
                + "Options:\n";

    private SyncCommand() {}

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws Exception {
        SyncSettings settings;
        AmpJobPlan plan;
        try {
            CommandLine cl = new CommandLine(SyncOptions.ALL).parse(args, environment);
            if (Boolean.TRUE.equals(cl.get(SyncOptions.HELP))) {
                out.print(USAGE + CommandLine.help(SyncOptions.ALL));
                return 0;
            }
            if (cl.isSet(SyncOptions.CONFIG)) {
                return PipelineFileCommand.run(cl, environment, out, err);
            }
            if (cl.isSet(SyncOptions.MANIFEST)) {
                return ManifestCommand.run(cl, environment, out, err);
            }
            settings = SyncSettings.from(cl, environment);
            plan = plan(settings);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            plan.prepareTargets();
        } catch (AmpJobPlan.SetupException e) {
            err.println(e.getMessage());
            return 1;
        }
        int parallelism = settings.effectiveParallelism();
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
        if (probe instanceof LocalStreamEnvironment) {
            LocalRunner runner = new LocalRunner(settings.stateDir, settings.checkpointInterval);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(runner.configuration());
            env.setParallelism(parallelism);
            plan.addTo(env, parallelism);
            out.printf(
                    "Syncing %d table(s) into %s on an embedded Flink (state in %s, log in %s)%n",
                    plan.targets().size(),
                    settings.database.jdbcUrl(),
                    settings.stateDir.toAbsolutePath(),
                    System.getProperty("sluice.log.file", "sluice.log"));
            ProgressPrinter printer = new ProgressPrinter();
            runner.run(env, "sluice sync", out, printer::print);
        } else {
            // On a cluster, `flink run -p N` (or parallelism.default) decides unless
            // --parallelism is given; the connection budget caps it either way.
            if (settings.parallelism == null) {
                parallelism =
                        Math.max(
                                1, Math.min(probe.getParallelism(), settings.maxDbConnections / 2));
            }
            probe.enableCheckpointing(settings.checkpointInterval.toMillis());
            probe.setParallelism(parallelism);
            plan.addTo(probe, parallelism);
            probe.execute("sluice sync");
        }
        return 0;
    }

    static AmpJobPlan plan(SyncSettings s) {
        AmpSourceBuilder builder =
                AmpSource.builder()
                        .setEndpoint(s.ampAddress)
                        .set(
                                AmpSourceOptions.MAX_MESSAGE_SIZE,
                                MemorySize.ofMebiBytes(s.grpcMaxDecodeMb));
        if (s.authToken != null) {
            builder.setAuthToken(s.authToken);
        }
        if (s.ampTlsCa != null) {
            builder.set(AmpSourceOptions.TLS_CA_FILE, s.ampTlsCa.toString());
        }
        for (DatasetReference dataset : s.datasets) {
            for (String table : s.tables) {
                builder.addTable(dataset, table);
            }
        }
        return new AmpJobPlan(
                "amp",
                builder.build(),
                AmpJobPlan.targetsFor(s.datasets, s.tables, s.targetSchema),
                AmpJobPlan.uniqueKeysFor(s.datasets, s.tables, s.uniqueKeys),
                s.retentionBlocks,
                new AmpJobPlan.DatabaseTarget(
                        s.database.jdbcUrl(),
                        s.database.user(),
                        s.database.password(),
                        s.commitMode,
                        s.maxDbConnections,
                        "sluice-" + s.targetSchema.toLowerCase(java.util.Locale.ROOT)));
    }
}
