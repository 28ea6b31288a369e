package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRef;
import java.util.Arrays;

/**
 * An immutable snapshot of one chain lineage: the head and a short list of fork segments (segment
 * {@code i} owns blocks {@code starts[i]} up to the next segment's start). Every block's hash is
 * derived from (seed, owning fork, number), so {@code parent_hash(n) = hash(n - 1)} holds without
 * storing anything per block.
 */
final class ChainView {

    /** Unix seconds of block 0; one block per second after it. */
    static final long GENESIS_TIMESTAMP = 1_736_160_000L;

    private final long seed;
    private final long head;
    private final long[] starts;
    private final int[] forks;

    ChainView(long seed, long head, long[] starts, int[] forks) {
        this.seed = seed;
        this.head = head;
        this.starts = starts;
        this.forks = forks;
    }

    /** The head block number; -1 for a chain without blocks. */
    long head() {
        return head;
    }

    boolean isEmpty() {
        return head < 0;
    }

    ChainView withHead(long newHead) {
        return new ChainView(seed, newHead, starts, forks);
    }

    /** This lineage up to {@code from - 1}, then a new fork owning {@code from..=newHead}. */
    ChainView fork(long from, int forkId, long newHead) {
        int keep = segmentOf(from - 1) + 1;
        long[] s = Arrays.copyOf(starts, keep + 1);
        int[] f = Arrays.copyOf(forks, keep + 1);
        s[keep] = from;
        f[keep] = forkId;
        return new ChainView(seed, newHead, s, f);
    }

    int forkAt(long number) {
        return forks[segmentOf(number)];
    }

    private int segmentOf(long number) {
        int i = Arrays.binarySearch(starts, number);
        return i >= 0 ? i : -i - 2;
    }

    /** The seed every value of a block derives from; word 0 of its hash. */
    long blockSeed(long number) {
        return hashWord(seed, forkAt(number), number, 0);
    }

    static long hashWord(long seed, int fork, long number, int word) {
        long base = Mix.mix(Mix.mix(Mix.mix(seed) ^ (fork * Mix.GOLDEN + 1)) + number * Mix.GOLDEN);
        return word == 0 ? base : Mix.derive(base, word);
    }

    /** Writes the 32-byte hash of a block (big-endian words). */
    void hash(long number, byte[] out) {
        hash(seed, forkAt(number), number, out);
    }

    static void hash(long seed, int fork, long number, byte[] out) {
        for (int w = 0; w < 4; w++) {
            Mix.putLongBE(out, 8 * w, hashWord(seed, fork, number, w));
        }
    }

    String hashHex(long number) {
        byte[] h = new byte[32];
        hash(number, h);
        return BlockHashes.toHex(h);
    }

    /** Parent hash of a block: zeros at genesis. */
    String parentHashHex(long number) {
        return number == 0 ? BlockHashes.ZERO : hashHex(number - 1);
    }

    BlockRef ref(long number) {
        return new BlockRef(number, hashHex(number));
    }

    static long timestamp(long number) {
        return GENESIS_TIMESTAMP + number;
    }

    /**
     * The first block number up to {@code limit} where this lineage and {@code other} differ, or
     * {@code limit + 1} when they agree on {@code 0..=limit}.
     */
    long firstDifference(ChainView other, long limit) {
        long[] bounds = new long[starts.length + other.starts.length];
        System.arraycopy(starts, 0, bounds, 0, starts.length);
        System.arraycopy(other.starts, 0, bounds, starts.length, other.starts.length);
        Arrays.sort(bounds);
        for (long b : bounds) {
            if (b > limit) {
                break;
            }
            if (forkAt(b) != other.forkAt(b)) {
                return b;
            }
        }
        return limit + 1;
    }
}
