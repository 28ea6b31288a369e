package dev.sluice.job.testutils;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sync-job.jar sync …} in a JVM of its own, on the test's class path, the way a user runs it
 * locally — for tests that kill it with SIGKILL and start it again. Every run checkpoints every 300
 * ms with parallelism 2 into {@code <dir>/state}; run n logs to {@code <dir>/sluice-n.log} and
 * prints to {@code <dir>/run-n.out}.
 */
public final class SyncProcess {

    private SyncProcess() {}

    public static Process start(Path dir, int run, Map<String, String> env, String... syncArgs)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-Dsluice.log.file=" + dir.resolve("sluice-" + run + ".log"));
        cmd.add("-Dlog4j.configurationFile=sluice-log4j2.properties");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.sluice.job.Main");
        cmd.add("sync");
        cmd.addAll(List.of(syncArgs));
        cmd.addAll(
                List.of(
                        "--checkpoint-interval",
                        "300ms",
                        "--parallelism",
                        "2",
                        "--state-dir",
                        dir.resolve("state").toString()));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("run-" + run + ".out").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
