package dev.sluice.sources.amp.devserver;

import java.util.Arrays;

/**
 * The row being generated: one block, and within it one transaction and one log, with the seeds
 * every column value derives from. Mutable and reused for every row of a stream, so generation
 * allocates nothing per row.
 */
final class RowCursor {

    static final int TX_LEGACY = 0;
    static final int TX_ACCESS_LIST = 1;
    static final int TX_DYNAMIC_FEE = 2;
    static final int TX_BLOB = 3;
    static final int TX_SET_CODE = 4;

    static final int EVENT_TRANSFER = 0;
    static final int EVENT_APPROVAL = 1;
    static final int EVENT_DEPOSIT = 2;
    static final int EVENT_SYNC = 3;
    static final int EVENT_ANONYMOUS = 4;

    static final byte[] TRANSFER_TOPIC = EvmTopics.topic("Transfer(address,address,uint256)");
    static final byte[] APPROVAL_TOPIC = EvmTopics.topic("Approval(address,address,uint256)");
    static final byte[] DEPOSIT_TOPIC = EvmTopics.topic("Deposit(address,uint256)");
    static final byte[] SYNC_TOPIC = EvmTopics.topic("Sync(uint112,uint112)");

    static final byte[][] ACCOUNTS = addresses(1, 64);
    static final byte[][] CONTRACTS = addresses(2, 16);
    static final byte[][] MINERS = addresses(3, 8);

    final int txsPerBlock;
    final int logsPerTx;

    final byte[] b20 = new byte[20];
    final byte[] b32 = new byte[32];
    final byte[] var = new byte[4096];
    final long[] dec = new long[2];
    final Uint256Text uint256 = new Uint256Text();

    ChainView view;
    long block = -1;
    long blockSeed;
    long timestampNanos;
    final byte[] blockHash = new byte[32];
    final byte[] parentHash = new byte[32];

    int tx = -1;
    long txSeed;
    int txType;
    final byte[] txHash = new byte[32];

    int logIndex;
    int logInTx;
    long logSeed;
    int event;

    RowCursor(int txsPerBlock, int logsPerTx) {
        this.txsPerBlock = txsPerBlock;
        this.logsPerTx = logsPerTx;
    }

    void setBlock(ChainView chain, long number) {
        view = chain;
        block = number;
        chain.hash(number, blockHash);
        if (number == 0) {
            Arrays.fill(parentHash, (byte) 0);
        } else {
            chain.hash(number - 1, parentHash);
        }
        blockSeed = chain.blockSeed(number);
        timestampNanos = ChainView.timestamp(number) * 1_000_000_000L;
        tx = -1;
    }

    void setTx(int index) {
        if (tx == index) {
            return;
        }
        tx = index;
        txSeed = Mix.mix(blockSeed + (index + 1) * Mix.GOLDEN);
        int t = Mix.below(Mix.derive(txSeed, 1), 20);
        txType =
                t < 4
                        ? TX_LEGACY
                        : t < 5
                                ? TX_ACCESS_LIST
                                : t < 16 ? TX_DYNAMIC_FEE : t < 18 ? TX_BLOB : TX_SET_CODE;
        word32(txSeed, 2, txHash);
    }

    /** Positions on the {@code k}-th log of the block. */
    void setLog(int k) {
        setTx(k / logsPerTx);
        logIndex = k;
        logInTx = k % logsPerTx;
        logSeed = Mix.mix(txSeed ^ ((logInTx + 1) * 0xD1B54A32D192ED03L));
        int e = Mix.below(logSeed, 20);
        event =
                e < 9
                        ? EVENT_TRANSFER
                        : e < 13
                                ? EVENT_APPROVAL
                                : e < 16 ? EVENT_DEPOSIT : e < 18 ? EVENT_SYNC : EVENT_ANONYMOUS;
    }

    /** 32 pseudo-random bytes derived from a seed and a salt. */
    static void word32(long seed, int salt, byte[] out) {
        long base = Mix.derive(seed, salt);
        for (int w = 0; w < 4; w++) {
            Mix.putLongBE(out, 8 * w, Mix.derive(base, w));
        }
    }

    /** An address from a pool, left-padded to a 32-byte topic. */
    static void topicOf(byte[] address, byte[] out) {
        Arrays.fill(out, 0, 12, (byte) 0);
        System.arraycopy(address, 0, out, 12, 20);
    }

    /** Fills {@code out[0, len)} with pseudo-random bytes. */
    static void randomBytes(long seed, byte[] out, int len) {
        for (int i = 0; i < len; i += 8) {
            long v = Mix.derive(seed, 100 + i);
            for (int b = 0; b < 8 && i + b < len; b++) {
                out[i + b] = (byte) (v >>> (8 * b));
            }
        }
    }

    private static byte[][] addresses(int kind, int count) {
        byte[][] pool = new byte[count][20];
        byte[] word = new byte[32];
        for (int i = 0; i < count; i++) {
            word32(kind * 1_000_003L + i, 7, word);
            System.arraycopy(word, 0, pool[i], 0, 20);
        }
        return pool;
    }
}
