package dev.sluice.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A job JVM started by the benchmark, with its peak resident set size read from /proc. */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;
    private long peakRssKb;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java <jvmArgs> <args>}, stdout and stderr to {@code log}. */
    static ChildJvm start(List<String> jvmArgs, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(args);
        Files.writeString(log, String.join(" ", cmd) + "\n");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        // Never leave a job behind when the harness is stopped.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new ChildJvm(p, log);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails with the tail of the log if the JVM has died. */
    void checkAlive() throws IOException {
        if (!process.isAlive()) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(
                    "The job JVM exited with "
                            + process.exitValue()
                            + "; last lines of "
                            + log
                            + ":\n"
                            + String.join(
                                    "\n",
                                    lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
    }

    /** Writes the JVM's flight recording named "bench" to {@code file} (--profile). */
    void dumpFlightRecording(Path file) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(
                        jcmd.toString(),
                        Long.toString(process.pid()),
                        "JFR.dump",
                        "name=bench",
                        "filename=" + file.toAbsolutePath())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor(60, TimeUnit.SECONDS);
    }

    /** The JVM's peak RSS so far (VmHWM), in KiB; remembered after the process ends. */
    long peakRssKb() {
        File status = new File("/proc/" + process.pid() + "/status");
        try {
            for (String line : Files.readAllLines(status.toPath())) {
                if (line.startsWith("VmHWM:")) {
                    peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException e) {
            // Gone: keep the last reading.
        }
        return peakRssKb;
    }

    @Override
    public void close() throws InterruptedException {
        peakRssKb();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
