package dev.sluice.job.cdc;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.sources.postgres.ReplicationSlots;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how much WAL a pipeline's replication slot retains and logs a WARN past the pipeline's
 * {@code wal_warning_mb}: a slot whose position stops advancing (checkpoints failing, the job
 * stopped) keeps every WAL segment on the source server's disk. The value is also a gauge.
 */
final class WalMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalMonitor.class);

    private final PipelineSpec spec;
    private final AtomicLong retained = new AtomicLong(-1);
    private final ScheduledExecutorService timer;

    WalMonitor(PipelineSpec spec, Duration every) {
        this.spec = spec;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "sluice-wal-monitor-" + spec.name);
                            t.setDaemon(true);
                            return t;
                        });
        timer.scheduleWithFixedDelay(this::check, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    long retainedBytes() {
        return retained.get();
    }

    void check() {
        Properties props = new Properties();
        props.setProperty("user", spec.source.username);
        props.setProperty("password", spec.source.passwordValue());
        try (Connection c = DriverManager.getConnection(spec.source.jdbcUrl(), props)) {
            OptionalLong bytes = ReplicationSlots.retainedWalBytes(c, spec.slotName);
            if (bytes.isEmpty()) {
                return;
            }
            retained.set(bytes.getAsLong());
            if (bytes.getAsLong() > spec.walWarningBytes) {
                LOG.warn(
                        "Pipeline {}: replication slot {} retains {} MiB of WAL (warning threshold"
                                + " {} MiB). The slot advances only when checkpoints complete:"
                                + " check that checkpoints succeed, or drop the slot of a pipeline"
                                + " that no longer runs.",
                        spec.name,
                        spec.slotName,
                        bytes.getAsLong() >> 20,
                        spec.walWarningBytes >> 20);
            }
        } catch (SQLException e) {
            LOG.warn(
                    "Pipeline {}: cannot read slot {}: {}",
                    spec.name,
                    spec.slotName,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
