package dev.sluice.job.demo;

import static dev.sluice.job.cli.CliOption.flag;
import static dev.sluice.job.cli.CliOption.option;

import dev.sluice.job.cli.CliOption;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.Parsers;
import dev.sluice.job.cli.UsageException;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code demo}: Sluice on one machine with nothing installed. Starts the Amp dev server (a chain
 * that mines a block a second and reorganises now and then), an embedded PostgreSQL whose data
 * stays in {@code --dir}, and the sync job for blocks, transactions and logs; prints how to look at
 * the result. Ctrl-C stops all three, the job with a final savepoint.
 */
public final class DemoCommand {

    static final CliOption<Path> DIR =
            option("dir", Path::of)
                    .defaultValue(".sluice/demo")
                    .description("Where the demo keeps its PostgreSQL data and job state.")
                    .build();
    static final CliOption<Integer> AMP_PORT =
            option("amp-port", Parsers.intBetween(1, 65535))
                    .defaultValue("1602")
                    .description("Flight port of the Amp dev server.")
                    .build();
    static final CliOption<Integer> ADMIN_PORT =
            option("admin-port", Parsers.intBetween(1, 65535))
                    .defaultValue("1610")
                    .description("Admin HTTP port of the Amp dev server (/chain/head, …).")
                    .build();
    static final CliOption<Integer> PG_PORT =
            option("pg-port", Parsers.intBetween(1, 65535))
                    .defaultValue("5433")
                    .description("Port of the demo's PostgreSQL.")
                    .build();
    static final CliOption<Duration> BLOCK_TIME =
            option("block-time", Parsers.durationAtLeast(Duration.ofMillis(10)))
                    .defaultValue("1s")
                    .description("How often the dev server mines a block.")
                    .build();
    static final CliOption<Integer> REORG_EVERY =
            option("reorg-every", Parsers.intAtLeast(0))
                    .defaultValue("15")
                    .description("Reorganise the chain every this many blocks (0: never).")
                    .build();
    static final CliOption<Boolean> HELP =
            flag("help").shortName("h").description("Print this help and exit.").build();

    static final List<CliOption<?>> ALL =
            List.of(DIR, AMP_PORT, ADMIN_PORT, PG_PORT, BLOCK_TIME, REORG_EVERY, HELP);

    /** How the demo runs the sync job once its servers are up: {@code SyncCommand.run}. */
    @FunctionalInterface
    public interface Sync {
        int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
                throws Exception;
    }

    private DemoCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err, Sync sync)
            throws Exception {
        CommandLine cl;
        try {
            cl = new CommandLine(ALL).parse(args, Map.of());
            if (Boolean.TRUE.equals(cl.get(HELP))) {
                out.print(
                        "Usage: sync-job.jar demo [options]\n\n"
                                + "Runs the Amp dev server, an embedded PostgreSQL and the sync job"
                                + " together.\n\nOptions:\n"
                                + CommandLine.help(ALL));
                return 0;
            }
            for (CliOption<Integer> port : List.of(AMP_PORT, ADMIN_PORT, PG_PORT)) {
                requireFree(cl.get(port), port.name());
            }
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        }
        Path dir = cl.get(DIR).toAbsolutePath();
        out.println("Starting the Amp dev server and PostgreSQL (data in " + dir + ")…");
        try (AmpDevServer amp =
                        AmpDevServer.builder()
                                .host("localhost")
                                .port(cl.get(AMP_PORT))
                                .adminPort(cl.get(ADMIN_PORT))
                                .blocks(1000)
                                .blockTime(cl.get(BLOCK_TIME))
                                .reorgEvery(cl.get(REORG_EVERY))
                                .reorgDepth(3)
                                .headMicrobatchBlocks(2)
                                .build()
                                .start();
                DemoPostgres pg = DemoPostgres.start(dir.resolve("postgres"), cl.get(PG_PORT))) {
            out.printf(
                    "%nAmp dev server:  grpc://localhost:%d   (admin: curl"
                            + " http://localhost:%d/chain/head)%n"
                            + "PostgreSQL:      psql %s%n"
                            + "Try:             SELECT _block_num, encode(hash, 'hex') FROM blocks"
                            + " ORDER BY _block_num DESC LIMIT 5;%n"
                            + "Stop with Ctrl-C (the job stops with a savepoint; a new `demo`"
                            + " resumes).%n%n",
                    amp.flightPort(), amp.adminPort(), pg.url());
            return sync.run(
                    new String[] {
                        "--dataset",
                        "_/anvil@latest",
                        "--tables",
                        "blocks,transactions,logs",
                        "--amp-flight-addr",
                        "http://localhost:" + amp.flightPort(),
                        "--database-url",
                        pg.url(),
                        "--state-dir",
                        dir.resolve("state").toString()
                    },
                    Map.of(),
                    out,
                    err);
        }
    }

    private static void requireFree(int port, String option) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new UsageException(
                    "Port "
                            + port
                            + " is in use (by an earlier demo, or another server): stop it, or"
                            + " pass --"
                            + option
                            + " <free port>.");
        }
    }
}
