package dev.sluice.job;

import dev.sluice.job.demo.DemoCommand;
import dev.sluice.sources.amp.devserver.AmpDevServerCli;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** The {@code sync-job.jar} command line: dispatches to the sync job and its companion tools. */
public final class SyncJob {

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: sync-job.jar [COMMAND] [OPTIONS]",
                    "",
                    "Keeps PostgreSQL in sync with Amp datasets and PostgreSQL tables, exactly"
                            + " once,",
                    "on Apache Flink.",
                    "",
                    "Commands:",
                    "  sync            run the sync job (the default command: options alone mean"
                            + " sync)",
                    "  demo            run the Amp dev server, an embedded PostgreSQL and the sync"
                            + " job",
                    "  amp-dev-server  run the Amp dev server (emulator); --help for its options",
                    "  --help, -h      print this help",
                    "  --version       print the version",
                    "",
                    "Run `sync-job.jar COMMAND --help` for the options of a command.");

    private SyncJob() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.out, System.err);
        } catch (Exception e) {
            // The whole trace goes to the log; people get the cause in one line.
            LoggerFactory.getLogger(SyncJob.class).error("sync-job.jar failed", e);
            System.err.println("Failed: " + rootCause(e) + " (details in the log file)");
            code = 1;
        }
        System.exit(code);
    }

    /** The innermost cause that says something, as "Type: message". */
    static String rootCause(Throwable t) {
        Throwable cause = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                cause = c;
            }
        }
        String message =
                cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
        return cause.getClass().getSimpleName() + ": " + message;
    }

    /** Runs the command line and returns the process exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws Exception {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            out.println(USAGE);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "--version":
                out.println("sluice " + version());
                return 0;
            case "sync":
                return SyncCommand.run(rest, env, out, err);
            case "demo":
                return DemoCommand.run(rest, out, err, SyncCommand::run);
            case "amp-dev-server":
                return AmpDevServerCli.run(rest, out, err);
            default:
                if (args[0].startsWith("-")) {
                    return SyncCommand.run(args, env, out, err);
                }
                err.println(
                        "Unknown command '"
                                + args[0]
                                + "'. Run `sync-job.jar --help` to see the commands.");
                return 2;
        }
    }

    static String version() {
        String v = SyncJob.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
