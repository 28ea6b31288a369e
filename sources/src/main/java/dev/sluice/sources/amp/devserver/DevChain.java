package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dev server's mutable chain: the canonical {@link ChainView} plus the registry of every fork
 * ever created (id, first block, parent fork, tip), which is all a resume from a reorged-away
 * cursor needs. Memory grows with the number of reorgs, never with the number of blocks.
 *
 * <p>Thread-safe; streams wait on it for new blocks with {@link #awaitChange}.
 */
final class DevChain {

    /** One fork: blocks {@code start..=tip} are its own, below {@code start} its parent's. */
    private static final class Fork {
        final int id;
        final long start;
        final int parent;
        long tip;

        Fork(int id, long start, int parent, long tip) {
            this.id = id;
            this.start = start;
            this.parent = parent;
            this.tip = tip;
        }
    }

    private final long seed;
    private final int reorgEvery;
    private final int reorgDepth;
    private final List<Fork> forks = new ArrayList<>();
    private volatile ChainView view;
    private boolean closed;

    DevChain(long seed, long initialBlocks, int reorgEvery, int reorgDepth) {
        this.seed = seed;
        this.reorgEvery = reorgEvery;
        this.reorgDepth = reorgDepth;
        forks.add(new Fork(0, 0, -1, initialBlocks - 1));
        view = new ChainView(seed, initialBlocks - 1, new long[] {0}, new int[] {0});
    }

    long seed() {
        return seed;
    }

    /** The current canonical chain (an immutable snapshot). */
    ChainView view() {
        return view;
    }

    /** Mines {@code n} blocks on the canonical head, applying automatic reorgs if configured. */
    synchronized ChainView mine(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("Cannot mine a negative number of blocks: " + n);
        }
        for (long i = 0; i < n; i++) {
            extend(view.head() + 1);
            long head = view.head();
            if (reorgEvery > 0 && head > 0 && head % reorgEvery == 0) {
                reorgLocked(Math.min(reorgDepth, head), 0);
            }
        }
        notifyAll();
        return view;
    }

    /**
     * Replaces the last {@code depth} canonical blocks with a new fork of {@code depth + mine}
     * blocks. Genesis is never replaced.
     */
    synchronized ChainView reorg(long depth, long mine) {
        if (depth < 1 || depth > view.head()) {
            throw new IllegalArgumentException(
                    "Reorg depth must be between 1 and the head number ("
                            + view.head()
                            + ", genesis is never replaced), got "
                            + depth);
        }
        if (mine < 0) {
            throw new IllegalArgumentException("Cannot mine a negative number of blocks: " + mine);
        }
        reorgLocked(depth, mine);
        notifyAll();
        return view;
    }

    private void extend(long newHead) {
        forks.get(view.forkAt(view.head() < 0 ? 0 : view.head())).tip = newHead;
        view = view.withHead(newHead);
    }

    private void reorgLocked(long depth, long mine) {
        long from = view.head() - depth + 1;
        long newHead = view.head() + mine;
        int id = forks.size();
        forks.add(new Fork(id, from, view.forkAt(from - 1), newHead));
        view = view.fork(from, id, newHead);
    }

    /**
     * Where a stream that delivered up to {@code cursor} must continue: {@code number + 1} when the
     * cursor is canonical, else the first block where the cursor's fork left the canonical chain (0
     * when the hash belongs to no fork of this chain).
     */
    long resumePoint(ChainView canonical, BlockRef cursor) {
        long n = cursor.number();
        if (n <= canonical.head() && canonical.hashHex(n).equals(cursor.hash())) {
            return n + 1;
        }
        ChainView lineage = lineageOf(cursor);
        return lineage == null ? 0 : Math.min(n, canonical.firstDifference(lineage, n));
    }

    /** The lineage of the fork that owns the cursor's block, or null if none does. */
    synchronized ChainView lineageOf(BlockRef cursor) {
        byte[] wanted = BlockHashes.fromHex(cursor.hash());
        byte[] h = new byte[32];
        for (Fork f : forks) {
            if (f.start <= cursor.number() && cursor.number() <= f.tip) {
                ChainView.hash(seed, f.id, cursor.number(), h);
                if (Arrays.equals(h, wanted)) {
                    return lineage(f);
                }
            }
        }
        return null;
    }

    private ChainView lineage(Fork fork) {
        List<Fork> path = new ArrayList<>();
        for (Fork f = fork; f != null; f = f.parent < 0 ? null : forks.get(f.parent)) {
            path.add(0, f);
        }
        ChainView v = new ChainView(seed, path.get(0).tip, new long[] {0}, new int[] {0});
        for (int i = 1; i < path.size(); i++) {
            v = v.fork(path.get(i).start, path.get(i).id, path.get(i).tip);
        }
        return v.withHead(fork.tip);
    }

    /**
     * Waits until the canonical chain differs from {@code seen} or the timeout passes; returns the
     * current view.
     */
    synchronized ChainView awaitChange(ChainView seen, long timeoutMillis)
            throws InterruptedException {
        if (view == seen && !closed && timeoutMillis > 0) {
            wait(timeoutMillis);
        }
        return view;
    }

    /** Wakes every waiting stream (on close or cancellation). */
    synchronized void wakeAll() {
        notifyAll();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
