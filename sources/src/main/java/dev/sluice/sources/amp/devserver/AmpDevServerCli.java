package dev.sluice.sources.amp.devserver;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sync-job.jar amp-dev-server [options]}: runs an {@link AmpDevServer} until SIGTERM or
 * Ctrl-C. A bad option prints one line saying what is wrong and exits with code 2.
 */
public final class AmpDevServerCli {

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: sync-job.jar amp-dev-server [OPTIONS]",
                    "",
                    "A protocol-faithful Amp Arrow Flight server over a deterministic EVM-like"
                            + " chain.",
                    "",
                    "Options:",
                    "  --host ADDR                   bind address (default 0.0.0.0)",
                    "  --port N                      Arrow Flight port (default 1602; 0 = any free"
                            + " port)",
                    "  --admin-port N                admin HTTP port (default 1610; 0 = any free"
                            + " port; -1 = none)",
                    "  --network NAME                network of every block range (default"
                            + " anvil)",
                    "  --dataset REF                 the only dataset answered, e.g."
                            + " _/anvil@latest (default: any)",
                    "  --blocks N                    initial chain: blocks 0..N-1 (default 100)",
                    "  --block-time DURATION         auto-mine one block per interval, e.g. 2s,"
                            + " 500ms (default 0 = on request)",
                    "  --reorg-every N               reorg whenever the head is a multiple of N"
                            + " (default 0 = never)",
                    "  --reorg-depth D               depth of those reorgs (default 2)",
                    "  --txs-per-block N             transactions per block (default 4)",
                    "  --logs-per-tx N               logs per transaction (default 2)",
                    "  --seed N                      seed of all hashes and values (default 1)",
                    "  --microbatch-blocks N         blocks per microbatch while backfilling"
                            + " (default 1000)",
                    "  --head-microbatch-blocks N    blocks per microbatch at the head (default"
                            + " 1)",
                    "  --keep-alive DURATION         keep-alive interval within a microbatch"
                            + " (default 30s)",
                    "  --batch-bytes N               target bytes per data batch (default"
                            + " 2097152)",
                    "  --cache-microbatches BOOL     serve repeated streams of the same blocks"
                            + " from memory (default false)",
                    "  --auth-token TOKEN            require 'authorization: Bearer TOKEN'"
                            + " (default: no auth)",
                    "  --tls-cert FILE               serve TLS with this PEM certificate chain"
                            + " (with --tls-key)",
                    "  --tls-key FILE                PKCS#8 PEM private key of --tls-cert",
                    "  --help, -h                    print this help",
                    "",
                    "Admin API: GET /chain/head, POST /chain/mine?blocks=n,"
                            + " POST /chain/reorg?depth=d&mine=m,",
                    "GET /chain/blocks?from=a&to=b, GET"
                            + " /chain/digest?table=blocks|transactions|logs");

    private AmpDevServerCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the server until the JVM is asked to stop; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        AmpDevServer server;
        try {
            AmpDevServerBuilder builder = parse(args);
            if (builder == null) {
                out.println(USAGE);
                return 0;
            }
            server = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("amp-dev-server: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "amp-dev-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start();
            out.println(
                    "Amp dev server: Flight on "
                            + (server.options().tls() ? "grpc+tls://" : "grpc://")
                            + server.options().host()
                            + ":"
                            + server.flightPort()
                            + ", admin on http://"
                            + server.options().host()
                            + ":"
                            + server.adminPort()
                            + " ("
                            + server.options()
                            + ")");
            out.flush();
            stopped.await();
            return 0;
        } catch (java.io.IOException e) {
            err.println("amp-dev-server: cannot start: " + e.getMessage());
            server.close();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            return 1;
        }
    }

    /** The builder for the arguments, or null when help was asked for. */
    static AmpDevServerBuilder parse(String[] args) {
        AmpDevServerBuilder b = AmpDevServer.builder();
        java.nio.file.Path tlsCert = null;
        java.nio.file.Path tlsKey = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            }
            String value;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                if (!flag.startsWith("--")) {
                    throw new IllegalArgumentException(
                            "unexpected argument '" + flag + "' (see --help)");
                }
                throw new IllegalArgumentException(flag + " needs a value (see --help)");
            }
            switch (flag) {
                case "--host":
                    b.host(value);
                    break;
                case "--port":
                    b.port((int) integer(flag, value));
                    break;
                case "--admin-port":
                    b.adminPort((int) integer(flag, value));
                    break;
                case "--network":
                    b.network(value);
                    break;
                case "--dataset":
                    b.dataset(value);
                    break;
                case "--blocks":
                    b.blocks(integer(flag, value));
                    break;
                case "--block-time":
                    b.blockTime(duration(flag, value));
                    break;
                case "--reorg-every":
                    b.reorgEvery((int) integer(flag, value));
                    break;
                case "--reorg-depth":
                    b.reorgDepth((int) integer(flag, value));
                    break;
                case "--txs-per-block":
                    b.txsPerBlock((int) integer(flag, value));
                    break;
                case "--logs-per-tx":
                    b.logsPerTx((int) integer(flag, value));
                    break;
                case "--seed":
                    b.seed(integer(flag, value));
                    break;
                case "--microbatch-blocks":
                    b.microbatchBlocks((int) integer(flag, value));
                    break;
                case "--head-microbatch-blocks":
                    b.headMicrobatchBlocks((int) integer(flag, value));
                    break;
                case "--keep-alive":
                    b.keepAlive(duration(flag, value));
                    break;
                case "--cache-microbatches":
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new IllegalArgumentException(
                                "--cache-microbatches must be true or false, got '" + value + "'");
                    }
                    b.cacheMicrobatches(Boolean.parseBoolean(value));
                    break;
                case "--batch-bytes":
                    b.batchBytes(integer(flag, value));
                    break;
                case "--auth-token":
                    b.authToken(value);
                    break;
                case "--tls-cert":
                    tlsCert = java.nio.file.Path.of(value);
                    break;
                case "--tls-key":
                    tlsKey = java.nio.file.Path.of(value);
                    break;
                default:
                    throw new IllegalArgumentException(
                            "unknown option '" + flag + "' (see --help)");
            }
        }
        if (tlsCert != null || tlsKey != null) {
            b.tls(tlsCert, tlsKey);
        }
        b.options();
        return b;
    }

    private static long integer(String flag, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                if (!flag.equals("--seed")
                        && !flag.equals("--blocks")
                        && !flag.equals("--batch-bytes")) {
                    throw new NumberFormatException();
                }
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " must be a whole number, got '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, or a plain number of seconds. */
    static Duration duration(String flag, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " must be a duration such as 500ms, 2s or 1m, got '" + value + "'");
        }
    }
}
