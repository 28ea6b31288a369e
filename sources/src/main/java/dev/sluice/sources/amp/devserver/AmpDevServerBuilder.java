package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.time.Duration;

/**
 * Builds an {@link AmpDevServer}. Every setter has the default documented on it; {@link #build()}
 * checks all values and names the option to change.
 */
public final class AmpDevServerBuilder {

    String host = "0.0.0.0";
    int port = 1602;
    int adminPort = 1610;
    String network = "anvil";
    DatasetReference dataset;
    long blocks = 100;
    Duration blockTime = Duration.ZERO;
    int reorgEvery;
    int reorgDepth = 2;
    int txsPerBlock = 4;
    int logsPerTx = 2;
    long seed = 1;
    int microbatchBlocks = 1000;
    int headMicrobatchBlocks = 1;
    Duration keepAlive = Duration.ofSeconds(30);
    long batchBytes = 2L << 20;
    boolean cacheMicrobatches;
    String authToken;
    java.nio.file.Path tlsCertChain;
    java.nio.file.Path tlsKey;

    AmpDevServerBuilder() {}

    /** Bind address of both servers (default 0.0.0.0). */
    public AmpDevServerBuilder host(String host) {
        this.host = host;
        return this;
    }

    /** Arrow Flight port (default 1602; 0 = a free port, see {@link AmpDevServer#flightPort()}). */
    public AmpDevServerBuilder port(int port) {
        this.port = port;
        return this;
    }

    /** Admin HTTP port (default 1610; 0 = a free port; -1 = no admin server). */
    public AmpDevServerBuilder adminPort(int adminPort) {
        this.adminPort = adminPort;
        return this;
    }

    /** Network name in every block range (default anvil). */
    public AmpDevServerBuilder network(String network) {
        this.network = network;
        return this;
    }

    /** The only dataset reference answered (others are NOT_FOUND); default: any reference. */
    public AmpDevServerBuilder dataset(String reference) {
        this.dataset = reference == null ? null : DatasetReference.parse(reference);
        return this;
    }

    /** Initial chain: blocks 0..n-1 (default 100; 0 = no data yet). */
    public AmpDevServerBuilder blocks(long blocks) {
        this.blocks = blocks;
        return this;
    }

    /** Auto-mining interval (default 0 = mine only on request). */
    public AmpDevServerBuilder blockTime(Duration blockTime) {
        this.blockTime = blockTime;
        return this;
    }

    /** Automatic reorg whenever the head number is a multiple of n (default 0 = never). */
    public AmpDevServerBuilder reorgEvery(int reorgEvery) {
        this.reorgEvery = reorgEvery;
        return this;
    }

    /** Depth of automatic reorgs (default 2). */
    public AmpDevServerBuilder reorgDepth(int reorgDepth) {
        this.reorgDepth = reorgDepth;
        return this;
    }

    /** Transactions per block (default 4). */
    public AmpDevServerBuilder txsPerBlock(int txsPerBlock) {
        this.txsPerBlock = txsPerBlock;
        return this;
    }

    /** Logs per transaction (default 2). */
    public AmpDevServerBuilder logsPerTx(int logsPerTx) {
        this.logsPerTx = logsPerTx;
        return this;
    }

    /** Seed of every hash and value (default 1). */
    public AmpDevServerBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Most blocks in one microbatch while backfilling (default 1000, Amp's). */
    public AmpDevServerBuilder microbatchBlocks(int microbatchBlocks) {
        this.microbatchBlocks = microbatchBlocks;
        return this;
    }

    /**
     * Most blocks in one microbatch once a stream has caught up with the head (default 1). More
     * than 1 lets several freshly mined blocks share a microbatch, so a reorg can land inside the
     * last completed range.
     */
    public AmpDevServerBuilder headMicrobatchBlocks(int headMicrobatchBlocks) {
        this.headMicrobatchBlocks = headMicrobatchBlocks;
        return this;
    }

    /**
     * Interval of zero-row keep-alive batches within a microbatch (default 30 s, Amp's); 0 sends
     * one at the start of every microbatch and before every data batch.
     */
    public AmpDevServerBuilder keepAlive(Duration keepAlive) {
        this.keepAlive = keepAlive;
        return this;
    }

    /** Target size of one data batch message (default 2 MiB, Amp's). */
    public AmpDevServerBuilder batchBytes(long batchBytes) {
        this.batchBytes = batchBytes;
        return this;
    }

    /**
     * Keeps every microbatch served (without filters or limit) in memory and serves later streams
     * of the same rows from there (default off: memory grows with the chain). For benchmarks, which
     * stream one fixed chain many times and should not pay for generating it each time.
     */
    public AmpDevServerBuilder cacheMicrobatches(boolean cacheMicrobatches) {
        this.cacheMicrobatches = cacheMicrobatches;
        return this;
    }

    /** Bearer token every call must carry (default: none, no authentication). */
    public AmpDevServerBuilder authToken(String authToken) {
        this.authToken = authToken;
        return this;
    }

    /** Serves Flight over TLS with this PEM certificate chain and PKCS#8 PEM private key. */
    public AmpDevServerBuilder tls(java.nio.file.Path certChain, java.nio.file.Path key) {
        this.tlsCertChain = certChain;
        this.tlsKey = key;
        return this;
    }

    /** Validates the options; the server is not started yet. */
    public AmpDevServerOptions options() {
        check(port >= 0 && port <= 65535, "--port must be between 0 and 65535, got " + port);
        check(
                adminPort >= -1 && adminPort <= 65535,
                "--admin-port must be between 0 and 65535 (or -1 for none), got " + adminPort);
        check(host != null && !host.isBlank(), "--host must not be empty");
        check(
                network != null && network.matches("[A-Za-z0-9_-]+"),
                "--network must be a name of letters, digits, '_' or '-', got '" + network + "'");
        check(blocks >= 0, "--blocks must be 0 or more, got " + blocks);
        check(
                blockTime != null && !blockTime.isNegative(),
                "--block-time must be 0 or a positive duration, got " + blockTime);
        check(reorgEvery >= 0, "--reorg-every must be 0 (off) or more, got " + reorgEvery);
        check(reorgDepth >= 1, "--reorg-depth must be 1 or more, got " + reorgDepth);
        check(
                txsPerBlock >= 0 && txsPerBlock <= 10_000,
                "--txs-per-block must be between 0 and 10000, got " + txsPerBlock);
        check(
                logsPerTx >= 0 && logsPerTx <= 1_000,
                "--logs-per-tx must be between 0 and 1000, got " + logsPerTx);
        check(
                microbatchBlocks >= 1,
                "--microbatch-blocks must be 1 or more, got " + microbatchBlocks);
        check(
                headMicrobatchBlocks >= 1,
                "--head-microbatch-blocks must be 1 or more, got " + headMicrobatchBlocks);
        check(
                keepAlive != null && !keepAlive.isNegative(),
                "--keep-alive must be 0 or a positive duration, got " + keepAlive);
        check(batchBytes >= 1024, "--batch-bytes must be at least 1024, got " + batchBytes);
        check(
                authToken == null || !authToken.isBlank(),
                "--auth-token must not be empty (leave it out to turn authentication off)");
        check(
                (tlsCertChain == null) == (tlsKey == null),
                "--tls-cert and --tls-key go together: give both to serve TLS, or neither");
        if (tlsCertChain != null) {
            check(
                    java.nio.file.Files.isReadable(tlsCertChain),
                    "--tls-cert " + tlsCertChain + " is not a readable file");
            check(
                    java.nio.file.Files.isReadable(tlsKey),
                    "--tls-key " + tlsKey + " is not a readable file");
        }
        return new AmpDevServerOptions(this);
    }

    /** Validates the options and creates the (not yet started) server. */
    public AmpDevServer build() {
        return new AmpDevServer(options());
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
