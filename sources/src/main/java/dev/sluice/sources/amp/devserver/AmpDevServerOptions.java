package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.time.Duration;

/**
 * Everything the dev server can be told, validated once in {@link AmpDevServerBuilder#build()}.
 * Immutable. Each option's CLI flag, default and meaning are listed in {@link AmpDevServerCli}.
 */
public final class AmpDevServerOptions {

    final String host;
    final int port;
    final int adminPort;
    final String network;
    final DatasetReference dataset;
    final long blocks;
    final Duration blockTime;
    final int reorgEvery;
    final int reorgDepth;
    final int txsPerBlock;
    final int logsPerTx;
    final long seed;
    final int microbatchBlocks;
    final int headMicrobatchBlocks;
    final Duration keepAlive;
    final long batchBytes;
    final boolean cacheMicrobatches;
    final String authToken;
    final java.nio.file.Path tlsCertChain;
    final java.nio.file.Path tlsKey;

    AmpDevServerOptions(AmpDevServerBuilder b) {
        this.host = b.host;
        this.port = b.port;
        this.adminPort = b.adminPort;
        this.network = b.network;
        this.dataset = b.dataset;
        this.blocks = b.blocks;
        this.blockTime = b.blockTime;
        this.reorgEvery = b.reorgEvery;
        this.reorgDepth = b.reorgDepth;
        this.txsPerBlock = b.txsPerBlock;
        this.logsPerTx = b.logsPerTx;
        this.seed = b.seed;
        this.microbatchBlocks = b.microbatchBlocks;
        this.headMicrobatchBlocks = b.headMicrobatchBlocks;
        this.keepAlive = b.keepAlive;
        this.batchBytes = b.batchBytes;
        this.cacheMicrobatches = b.cacheMicrobatches;
        this.authToken = b.authToken;
        this.tlsCertChain = b.tlsCertChain;
        this.tlsKey = b.tlsKey;
    }

    /** Whether Flight is served over TLS. */
    public boolean tls() {
        return tlsCertChain != null;
    }

    public String host() {
        return host;
    }

    public String network() {
        return network;
    }

    /** The only dataset served, or null when any reference is answered. */
    public DatasetReference dataset() {
        return dataset;
    }

    public int txsPerBlock() {
        return txsPerBlock;
    }

    public int logsPerTx() {
        return logsPerTx;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "network="
                + network
                + ", dataset="
                + (dataset == null ? "(any)" : dataset)
                + ", blocks="
                + blocks
                + ", block-time="
                + blockTime
                + ", reorg-every="
                + reorgEvery
                + ", reorg-depth="
                + reorgDepth
                + ", txs-per-block="
                + txsPerBlock
                + ", logs-per-tx="
                + logsPerTx
                + ", seed="
                + seed
                + ", microbatch-blocks="
                + microbatchBlocks
                + ", head-microbatch-blocks="
                + headMicrobatchBlocks
                + ", keep-alive="
                + keepAlive
                + ", batch-bytes="
                + batchBytes
                + ", cache-microbatches="
                + cacheMicrobatches
                + ", auth="
                + (authToken == null ? "off" : "bearer token")
                + ", tls="
                + (tlsCertChain == null ? "off" : tlsCertChain);
    }
}
