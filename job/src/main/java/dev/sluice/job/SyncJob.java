package dev.sluice.job;

import dev.sluice.sources.amp.devserver.AmpDevServerCli;
import java.io.PrintStream;

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
                    "  sync            run the sync job (the default command)",
                    "  amp-dev-server  run the Amp dev server (emulator); --help for its options",
                    "  --help, -h      print this help",
                    "  --version       print the version");

    private SyncJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            out.println(USAGE);
            return 0;
        }
        if ("amp-dev-server".equals(args[0])) {
            return AmpDevServerCli.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if ("--version".equals(args[0])) {
            out.println("sluice " + version());
            return 0;
        }
        err.println(
                "Unknown command or option '"
                        + args[0]
                        + "'. Run `sync-job.jar --help` to see what is supported.");
        return 2;
    }

    static String version() {
        String v = SyncJob.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
