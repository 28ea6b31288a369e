package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testutils.PostgresExtension;
import dev.sluice.testutils.PostgresServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@code deploy/e2e/run.sh} against {@code job/target/sync-job.jar}: a real standalone Flink
 * cluster (JobManager and TaskManager JVMs), {@code flink run}, the TaskManager killed with {@code
 * kill -9} mid-run, stop-with-savepoint and a resume with another parallelism, and each time the
 * target compared exactly with the Amp dev server's chain digest. PostgreSQL is the test JVM's real
 * server, with a fresh database. {@code deploy/e2e/manifest.sh} does the same for a dataset
 * manifest that is edited while the job runs. A script's output is in {@code
 * e2e/target/e2e-work/<time>-<script>/run.log}, every process's log beside it.
 */
@Timeout(value = 7, unit = TimeUnit.MINUTES)
class StandaloneClusterITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final long SCRIPT_TIMEOUT_SECONDS = 360;

    private Process script;
    private Path work;

    @Test
    void syncSurvivesTaskManagerKillAndResumesFromSavepointWithAnotherParallelism()
            throws Exception {
        String log = runScript("run.sh");
        // Both exact comparisons ran: after the failover and after the rescaled resume.
        assertThat(log.split("target == chain", -1)).hasSize(3);
    }

    /**
     * {@code deploy/e2e/manifest.sh}: {@code flink run … --manifest FILE --state-dir DIR}, then the
     * manifest edited (a table added, one changed, one removed) while blocks are mined with reorgs
     * and the TaskManager is killed: the JobManager applies it inside the same job.
     */
    @Test
    void manifestChangesAreAppliedByTheJobManagerInsideTheRunningJob() throws Exception {
        String log = runScript("manifest.sh");
        assertThat(log)
                .contains("the JobManager planned the change")
                .contains("table txs has column from")
                .contains("removed table old_logs kept");
        // Exact before and after the change; the same job before and after the TaskManager kill.
        assertThat(log.split("target == chain", -1)).hasSize(3);
        assertThat(log.split("the only job is ", -1)).hasSize(3);
    }

    /** Runs a script of deploy/e2e to its end (bounded) and returns its output; it must pass. */
    private String runScript(String name) throws Exception {
        Path scriptFile = property("sluice.e2e.scripts").resolve(name);
        Path jar = property("sluice.e2e.jar");
        Path classpath = property("sluice.e2e.classpath");
        assertThat(scriptFile).isRegularFile();
        assertThat(jar).as("the shaded job jar, built by the job module").isRegularFile();
        assertThat(classpath).as("written by dependency:build-classpath").isRegularFile();
        work =
                property("sluice.e2e.work")
                        .resolve(
                                LocalDateTime.now()
                                                .format(
                                                        DateTimeFormatter.ofPattern(
                                                                "yyyyMMdd-HHmmss"))
                                        + "-"
                                        + name.replace(".sh", ""));
        Files.createDirectories(work);
        Path runLog = work.resolve("run.log");

        ProcessBuilder pb =
                new ProcessBuilder("bash", scriptFile.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(runLog.toFile());
        Map<String, String> env = pb.environment();
        env.put("DATABASE_URL", databaseUrl(PG.server(), PG.database()));
        env.put("SLUICE_JAR", jar.toString());
        env.put("FLINK_CLASSPATH_FILE", classpath.toString());
        env.put("E2E_WORK_DIR", work.toString());
        script = pb.start();

        boolean exited = script.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String log = Files.readString(runLog);
        System.out.println(log);
        assertThat(exited)
                .as("%s finished within %d s; its output:%n%s", name, SCRIPT_TIMEOUT_SECONDS, log)
                .isTrue();
        assertThat(script.exitValue()).as("%s exit code; its output:%n%s", name, log).isZero();
        assertThat(log).contains("PASSED");
        return log;
    }

    /**
     * Stops the script (its EXIT trap stops what it started), then kills by PID whatever it
     * recorded and is still running with this run's work directory on its command line.
     */
    @AfterEach
    void stopEverything() throws Exception {
        if (script != null && script.isAlive()) {
            script.destroy();
            if (!script.waitFor(60, TimeUnit.SECONDS)) {
                script.destroyForcibly();
            }
        }
        if (work == null) {
            return;
        }
        Path pids = work.resolve("pids");
        List<String> lines = Files.exists(pids) ? Files.readAllLines(pids) : List.of();
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 0 || parts[0].isEmpty()) {
                continue;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(parts[0]));
            if (p.isPresent() && p.get().isAlive() && startedHere(p.get())) {
                p.get().destroyForcibly();
            }
        }
    }

    private boolean startedHere(ProcessHandle p) {
        return p.info().commandLine().map(c -> c.contains(work.toString())).orElse(false);
    }

    private static Path property(String name) {
        String value = System.getProperty(name);
        assertThat(value).as("system property %s (set by the e2e pom)", name).isNotNull();
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** The job's URL form: postgresql://user:password@host:port/database. */
    private static String databaseUrl(PostgresServer server, String database) throws IOException {
        String password = server.password();
        return "postgresql://"
                + URLEncoder.encode(server.user(), StandardCharsets.UTF_8)
                + (password == null || password.isEmpty()
                        ? ""
                        : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8))
                + "@"
                + server.host()
                + ":"
                + server.port()
                + "/"
                + database;
    }
}
