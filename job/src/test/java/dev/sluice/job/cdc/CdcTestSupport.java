package dev.sluice.job.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.config.PipelineFileLoader;
import dev.sluice.job.config.PipelineSpec;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.postgres.Publications;
import dev.sluice.sources.postgres.ReplicationSlots;
import dev.sluice.testutils.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Source and target databases on the test server, a pipeline file, a job on a MiniCluster. */
final class CdcTestSupport implements AutoCloseable {

    final PostgresServer server;
    final String source;
    final String target;
    final Path dir;
    final List<String> slots = new ArrayList<>();
    final List<String> publications = new ArrayList<>();

    CdcTestSupport(PostgresServer server, String source, Path dir) throws Exception {
        this.server = server;
        this.source = source;
        this.target = source + "_target";
        this.dir = dir;
        server.createDatabase(target);
        Files.writeString(
                dir.resolve("pw"), server.password() == null ? "" : server.password() + "\n");
    }

    /** A pipeline file with datastores src and dst (password from a file) and {@code pipeline}. */
    Path file(String pipelineYaml) throws Exception {
        String ds =
                "datastores:\n"
                        + "  - {name: src, type: postgres, host: "
                        + server.host()
                        + ", port: \"{{ env('SRC_PORT') }}\", database: "
                        + source
                        + ", username: "
                        + server.user()
                        + (server.password() == null || server.password().isEmpty()
                                ? ""
                                : ", password_file: pw")
                        + "}\n"
                        + "  - {name: dst, type: postgres, url: \"postgresql://"
                        + server.user()
                        + "@"
                        + server.host()
                        + ":"
                        + server.port()
                        + "/"
                        + target
                        + "\""
                        + (server.password() == null || server.password().isEmpty()
                                ? ""
                                : ", password_file: pw")
                        + "}\n"
                        + "pipelines:\n";
        Path f = dir.resolve("pipelines.yaml");
        Files.writeString(f, ds + pipelineYaml);
        return f;
    }

    Map<String, String> env() {
        return Map.of("SRC_PORT", String.valueOf(server.port()));
    }

    PipelineSpec load(Path file) {
        PipelineSpec spec = new PipelineFileLoader(env()).load(file).pipelines.get(0);
        slots.add(spec.slotName);
        publications.add(spec.publication);
        return spec;
    }

    /** Every pipeline of {@code file}, slots and publications registered for cleanup. */
    List<PipelineSpec> loadAll(Path file) {
        List<PipelineSpec> specs = new PipelineFileLoader(env()).load(file).pipelines;
        for (PipelineSpec spec : specs) {
            slots.add(spec.slotName);
            publications.add(spec.publication);
        }
        return specs;
    }

    JobClient start(PipelineSpec spec, int parallelism, boolean restarts) throws Exception {
        return start(List.of(spec), parallelism, restarts);
    }

    /** Prepares the pipelines and runs them as one job (on the test's MiniCluster, if any). */
    JobClient start(List<PipelineSpec> specs, int parallelism, boolean restarts) throws Exception {
        List<CdcPipelinePlan> plans = new ArrayList<>();
        for (PipelineSpec spec : specs) {
            CdcPipelinePlan plan = new CdcPipelinePlan(spec, CommitMode.PREPARED, 10);
            plan.prepare();
            plans.add(plan);
        }
        Configuration conf = new Configuration();
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(200));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(300);
        env.setParallelism(parallelism);
        env.getConfig().disableGenericTypes();
        for (CdcPipelinePlan plan : plans) {
            plan.addTo(env, parallelism);
        }
        return env.executeAsync("cdc test");
    }

    Connection source() throws SQLException {
        return server.connect(source);
    }

    Connection target() throws SQLException {
        return server.connect(target);
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static List<List<Object>> rows(Connection c, String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "42703".equals(e.getSQLState())) {
                return List.of(List.of("missing: " + e.getMessage()));
            }
            throw e;
        }
        return out;
    }

    /**
     * Waits until the target query returns what the source query returns, then checks it stays so.
     */
    void awaitEqual(String sourceSql, String targetSql, Duration timeout) throws Exception {
        awaitEqual(() -> rowsOf(source, sourceSql), () -> rowsOf(target, targetSql), timeout);
    }

    List<List<Object>> rowsOf(String db, String sql) throws SQLException {
        try (Connection c = server.connect(db)) {
            return rows(c, sql);
        }
    }

    static void awaitEqual(
            Callable<List<List<Object>>> expected,
            Callable<List<List<Object>>> actual,
            Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<List<Object>> want = null;
        List<List<Object>> have = null;
        while (System.nanoTime() < deadline) {
            want = expected.call();
            have = actual.call();
            if (Objects.equals(want, have)) {
                Thread.sleep(1500); // a few more checkpoints: nothing more may arrive
                assertThat(actual.call()).isEqualTo(expected.call());
                return;
            }
            Thread.sleep(300);
        }
        assertThat(have).as("target after %s", timeout).isEqualTo(want);
    }

    static void stop(JobClient job) throws Exception {
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception ignored) {
                // already finished or failed
            }
            try {
                job.getJobExecutionResult().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // cancelled
            }
        }
    }

    /** Drops slots and publications (trap 7: they pin WAL) and the target database. */
    @Override
    public void close() throws Exception {
        try (Connection c = source()) {
            for (String slot : slots) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < deadline) {
                    ReplicationSlots.dropIfInactive(c, slot);
                    if (rows(
                                    c,
                                    "SELECT 1 FROM pg_replication_slots WHERE slot_name = '"
                                            + slot
                                            + "'")
                            .isEmpty()) {
                        break;
                    }
                    Thread.sleep(200);
                }
            }
            for (String p : publications) {
                Publications.drop(c, p);
            }
        }
        server.dropDatabase(target);
    }
}
