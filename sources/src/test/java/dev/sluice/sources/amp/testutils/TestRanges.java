package dev.sluice.sources.amp.testutils;

import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;

/** Block ranges of synthetic forks for tests: fork {@code f}'s block {@code n} has hash h(f, n). */
public final class TestRanges {

    private TestRanges() {}

    /** Hash of block {@code n} on fork {@code fork}; never the zero hash. */
    public static String h(int fork, long n) {
        return String.format("0x%016x%048x", fork + 1, n);
    }

    /** A range of fork {@code fork} whose parent is on the same fork. */
    public static BlockRange range(String network, int fork, long start, long end) {
        return range(network, fork, start, end, fork);
    }

    /** A range of fork {@code fork} whose parent block is on {@code parentFork}. */
    public static BlockRange range(String network, int fork, long start, long end, int parentFork) {
        return new BlockRange(
                network,
                start,
                end,
                h(fork, end),
                start == 0 ? BlockHashes.ZERO : h(parentFork, start - 1),
                null);
    }
}
