package dev.sluice.job.manifest;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.sinks.postgres.CommitMode;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Everything a manifest sync needs besides the manifest: the Amp server, the target database and
 * the job's knobs. Filled from the {@code sync} command line (flags and environment). Serializable:
 * the JobManager re-plans the manifest with it (paths are kept as strings for that).
 */
public final class ManifestSyncConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    String ampEndpoint = "http://localhost:1602";
    String authToken;
    String ampTlsCa;
    int grpcMaxDecodeMb = 32;
    String jdbcUrl;
    String user;
    String password;
    String targetSchema = "public";
    CommitMode commitMode = CommitMode.AUTO;
    int maxDbConnections = 10;
    int retentionBlocks = 128;
    int parallelism = 1;
    Duration checkpointInterval = Duration.ofSeconds(1);
    String stateDir = ".sluice";
    Duration pollInterval = Duration.ofMillis(500);

    public ManifestSyncConfig amp(
            String endpoint, String authToken, Path tlsCa, int grpcMaxDecodeMb) {
        this.ampEndpoint = endpoint;
        this.authToken = authToken;
        this.ampTlsCa = tlsCa == null ? null : tlsCa.toAbsolutePath().toString();
        this.grpcMaxDecodeMb = grpcMaxDecodeMb;
        return this;
    }

    public ManifestSyncConfig database(
            String jdbcUrl, String user, String password, String targetSchema) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.targetSchema = targetSchema;
        return this;
    }

    public ManifestSyncConfig sink(
            CommitMode commitMode, int maxDbConnections, int retentionBlocks) {
        this.commitMode = commitMode;
        this.maxDbConnections = maxDbConnections;
        this.retentionBlocks = retentionBlocks;
        return this;
    }

    /**
     * The job's parallelism: fixed for the life of the state directory (it does not follow the
     * number of tables, so a reload never rescales the sink).
     */
    public ManifestSyncConfig parallelism(int parallelism) {
        this.parallelism = parallelism;
        return this;
    }

    public ManifestSyncConfig local(Path stateDir, Duration checkpointInterval) {
        this.stateDir = stateDir.toAbsolutePath().toString();
        this.checkpointInterval = checkpointInterval;
        return this;
    }

    /** How often the manifest file is checked for changes (default 500 ms). */
    public ManifestSyncConfig pollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
        return this;
    }

    public int parallelism() {
        return parallelism;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String ampEndpoint() {
        return ampEndpoint;
    }

    public String user() {
        return user;
    }

    public Path stateDir() {
        return Path.of(stateDir);
    }

    /** The target database: the sink's connection settings and set-up connections. */
    AmpJobPlan.DatabaseTarget database() {
        return new AmpJobPlan.DatabaseTarget(
                jdbcUrl,
                user,
                password,
                commitMode,
                maxDbConnections,
                "sluice-manifest-" + targetSchema.toLowerCase(Locale.ROOT));
    }
}
