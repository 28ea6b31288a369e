package dev.sluice.job;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.cdc.CdcPipelinePlan;
import dev.sluice.job.cdc.PipelineSetupException;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.Parallelism;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.job.cli.UsageException;
import dev.sluice.job.config.ConfigException;
import dev.sluice.job.config.PipelineFile;
import dev.sluice.job.config.PipelineFileLoader;
import dev.sluice.job.config.PipelineSpec;
import dev.sluice.job.local.LocalRunner;
import dev.sluice.job.local.ProgressPrinter;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpSourceBuilder;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code sync --config FILE}: runs the pipelines of a pipeline file in one job. The file is loaded
 * and checked first (exit 2 with one line, before anything connects); then every pipeline prepares
 * its databases (exit 1 with one line if that fails); then the job runs, on the submitting cluster
 * or on an embedded Flink that resumes from its state directory. CDC pipelines go through {@link
 * CdcPipelinePlan}, Amp pipelines through {@link AmpJobPlan}.
 */
final class PipelineFileCommand {

    private PipelineFileCommand() {}

    static int run(
            CommandLine cl, Map<String, String> environment, PrintStream out, PrintStream err)
            throws Exception {
        List<PipelineSpec> specs;
        try {
            PipelineFile file =
                    new PipelineFileLoader(environment).load(cl.get(SyncOptions.CONFIG));
            specs = file.select(cl.get(SyncOptions.PIPELINE));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        int maxConnections = cl.get(SyncOptions.MAX_DB_CONNECTIONS);
        CommitMode commitMode = cl.get(SyncOptions.COMMIT_MODE);
        int parallelism;
        try {
            parallelism =
                    Parallelism.of(cl.get(SyncOptions.PARALLELISM), maxConnections, specs.size());
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<CdcPipelinePlan> cdc = new ArrayList<>();
        List<AmpJobPlan> amp = new ArrayList<>();
        try {
            for (PipelineSpec spec : specs) {
                if (spec.isCdc()) {
                    cdc.add(new CdcPipelinePlan(spec, commitMode, maxConnections));
                } else {
                    amp.add(ampPlan(spec, commitMode, maxConnections));
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            for (CdcPipelinePlan p : cdc) {
                p.prepare();
            }
            for (AmpJobPlan p : amp) {
                p.prepareTargets();
            }
        } catch (PipelineSetupException | AmpJobPlan.SetupException e) {
            err.println(e.getMessage());
            return 1;
        }
        Duration interval = cl.get(SyncOptions.CHECKPOINT_INTERVAL);
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamExecutionEnvironment env = probe;
        LocalRunner runner = null;
        if (probe instanceof LocalStreamEnvironment) {
            Path stateDir = cl.get(SyncOptions.STATE_DIR);
            runner = new LocalRunner(stateDir, interval);
            env = StreamExecutionEnvironment.getExecutionEnvironment(runner.configuration());
        } else {
            env.enableCheckpointing(interval.toMillis());
        }
        env.setParallelism(parallelism);
        for (CdcPipelinePlan p : cdc) {
            p.addTo(env, parallelism);
        }
        for (AmpJobPlan p : amp) {
            p.addTo(env, parallelism);
        }
        if (runner != null) {
            out.printf(
                    "Running %d pipeline(s) on an embedded Flink (state in %s)%n",
                    specs.size(), cl.get(SyncOptions.STATE_DIR).toAbsolutePath());
            runner.run(env, "sluice pipelines", out, new ProgressPrinter()::print);
        } else {
            env.execute("sluice pipelines");
        }
        return 0;
    }

    static AmpJobPlan ampPlan(PipelineSpec spec, CommitMode commitMode, int maxConnections) {
        DatasetReference dataset = DatasetReference.parse(spec.dataset);
        AmpSourceBuilder builder = AmpSource.builder().setEndpoint(spec.source.url);
        if (spec.source.authToken != null) {
            builder.setAuthToken(spec.source.authToken.reveal());
        }
        for (String table : spec.tables) {
            builder.addTable(dataset, table);
        }
        return new AmpJobPlan(
                        spec.name,
                        builder.build(),
                        AmpJobPlan.targetsFor(List.of(dataset), spec.tables, spec.sinkSchema),
                        spec.retentionBlocks,
                        new AmpJobPlan.DatabaseTarget(
                                spec.sink.jdbcUrl(),
                                spec.sink.username,
                                spec.sink.passwordValue(),
                                commitMode,
                                maxConnections,
                                "sluice-" + spec.name.toLowerCase(Locale.ROOT)))
                .withEnrichment(spec.enrichment, spec.fields, spec.filter);
    }
}
