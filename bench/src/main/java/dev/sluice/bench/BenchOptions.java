package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/** The benchmark's command line: {@code --name value} pairs, each with a default. */
final class BenchOptions {

    /**
     * 4 M blocks × 1 tx × 1 log: 4 M rows of each table. The job's JIT compiler works through the
     * first ~25 s of a stream (bench/README.md, profiling notes 21:00); a 2 M-row blocks window
     * (13–17 s) lay entirely inside it.
     */
    long blocks = 4_000_000;

    int txsPerBlock = 1;
    int logsPerTx = 1;
    long seed = 7;
    int repeats = 3;

    /**
     * Unmeasured Sluice runs per table before the measured ones, into scratch databases: they warm
     * the dev server in the harness JVM (an Amp server is a long-running process) on the job's own
     * stream. Each job JVM is fresh, measured or not. One whole run warms the dev server as much as
     * two stopped after 12 s did, and takes less time than a stopped one and a whole one.
     */
    int warmUpRuns = 1;

    /**
     * How long each warm-up run but the last streams before its job is stopped (0: every one syncs
     * the whole chain). The dev server's Flight path is compiled within a stream's first seconds.
     * The last warm-up run syncs the whole chain, as a measured run does, so that the first
     * measured run, like every later one, follows the drop of a database of a whole run's size:
     * after stopped warm-up runs only, it followed a smaller one, and its backend spent 3–6 s more
     * system time copying into the page cache (bench/README.md, profiling notes 2026-11-22 06:00).
     */
    int warmUpSeconds = 12;

    int jdbcRepeats = 1;

    /**
     * How long the JdbcSink pipeline runs: it is steady (~0.25 of the ceiling), so half a minute
     * gives its rate; longer only made the benchmark longer.
     */
    int jdbcSeconds = 30;

    List<String> tables = List.of("logs", "blocks");
    int latencySeconds = 60;
    long latencyBlockMillis = 250;
    Path jar = Path.of("job/target/sync-job.jar");
    Path work = Path.of("bench/target/work");
    boolean profile;
    String profileSettings = "profile";
    boolean launchJar;
    List<String> jobJvmOptions = List.of();

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--profile")) {
                o.profile = true;
                continue;
            }
            if (name.equals("--launch-jar")) {
                o.launchJar = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String v = args[++i];
            switch (name) {
                case "--blocks":
                    o.blocks = Long.parseLong(v);
                    break;
                case "--txs-per-block":
                    o.txsPerBlock = Integer.parseInt(v);
                    break;
                case "--logs-per-tx":
                    o.logsPerTx = Integer.parseInt(v);
                    break;
                case "--seed":
                    o.seed = Long.parseLong(v);
                    break;
                case "--repeats":
                    o.repeats = Integer.parseInt(v);
                    break;
                case "--warm-up-runs":
                    o.warmUpRuns = Integer.parseInt(v);
                    break;
                case "--warm-up-seconds":
                    o.warmUpSeconds = Integer.parseInt(v);
                    break;
                case "--jdbc-repeats":
                    o.jdbcRepeats = Integer.parseInt(v);
                    break;
                case "--jdbc-seconds":
                    o.jdbcSeconds = Integer.parseInt(v);
                    break;
                case "--tables":
                    o.tables = List.of(v.split(","));
                    break;
                case "--latency-seconds":
                    o.latencySeconds = Integer.parseInt(v);
                    break;
                case "--latency-block-ms":
                    o.latencyBlockMillis = Long.parseLong(v);
                    break;
                case "--jar":
                    o.jar = Path.of(v);
                    break;
                case "--work":
                    o.work = Path.of(v);
                    break;
                case "--job-jvm-opts":
                    o.jobJvmOptions = List.of(v.trim().split("\\s+"));
                    break;
                case "--profile-settings":
                    o.profileSettings = v;
                    o.profile = true;
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Unknown option "
                                    + name
                                    + "; see bench/README.md for --blocks, --txs-per-block,"
                                    + " --logs-per-tx, --seed, --repeats, --warm-up-runs,"
                                    + " --warm-up-seconds, --jdbc-repeats,"
                                    + " --jdbc-seconds, --tables, --latency-seconds,"
                                    + " --latency-block-ms, --jar, --work, --profile,"
                                    + " --profile-settings, --job-jvm-opts, --launch-jar");
            }
        }
        return o;
    }
}
