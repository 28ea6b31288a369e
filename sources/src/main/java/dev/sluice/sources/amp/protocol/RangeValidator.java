package dev.sluice.sources.amp.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the block ranges of each batch of one stream against the previous batch (Amp protocol §3)
 * and turns backward jumps into {@link Rollback}s. Amp has no reorg message: a range that starts at
 * or before the previous end, with a new parent hash, means everything from its start on was
 * replaced.
 *
 * <p>Per network, against the previous range: identical ranges are repeats (data batches of one
 * microbatch and its completion); {@code start > prev.end + 1} is a gap; {@code start == prev.end +
 * 1} needs {@code prev_hash == prev.hash}; {@code start <= prev.end} needs {@code prev_hash !=
 * prev.hash} and is a reorg. Genesis ranges have no (or a zero) parent hash, all others a non-zero
 * one. No network twice in a batch; the set of networks never changes.
 *
 * <p>Not thread-safe: one instance per stream, used by the thread that reads it.
 */
public final class RangeValidator {

    private final String stream;
    private final Map<String, BlockRange> previous = new HashMap<>();
    private Set<String> networks;

    /** Starts a stream from the beginning. */
    public RangeValidator(String stream) {
        this.stream = stream;
    }

    /**
     * Starts a stream resumed after {@code cursor}: the first ranges must continue it, or jump back
     * (a reorg while the client was away).
     */
    public RangeValidator(String stream, ResumeCursor cursor) {
        this(stream);
        if (cursor != null && !cursor.isEmpty()) {
            for (Map.Entry<String, BlockRef> e : cursor.blocks().entrySet()) {
                BlockRef ref = e.getValue();
                previous.put(
                        e.getKey(),
                        new BlockRange(
                                e.getKey(), ref.number(), ref.number(), ref.hash(), null, null));
            }
            networks = new HashSet<>(cursor.blocks().keySet());
        }
    }

    /**
     * Validates the batch's ranges and records them as the previous ones.
     *
     * @return the rollbacks this batch implies, one per reorged network; empty if none
     * @throws AmpProtocolException naming the stream and the ranges when the batch breaks the
     *     protocol
     */
    public List<Rollback> validate(BatchMetadata batch) {
        List<BlockRange> ranges = batch.ranges();
        if (ranges.isEmpty()) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        for (BlockRange r : ranges) {
            if (!seen.add(r.network())) {
                throw violation(
                        "network '" + r.network() + "' appears twice in one batch " + ranges);
            }
            checkParentHashPresence(r);
        }
        if (networks == null) {
            networks = seen;
        } else if (!networks.equals(seen)) {
            throw violation(
                    "the set of networks changed from "
                            + new TreeSet<>(networks)
                            + " to "
                            + new TreeSet<>(seen));
        }
        List<Rollback> rollbacks = new ArrayList<>(0);
        for (BlockRange r : ranges) {
            BlockRange prev = previous.get(r.network());
            if (prev != null && !r.sameRange(prev)) {
                if (r.start() > prev.end() + 1) {
                    throw violation(
                            "gap in network '"
                                    + r.network()
                                    + "': "
                                    + describe(prev)
                                    + " is followed by "
                                    + describe(r)
                                    + ", blocks "
                                    + (prev.end() + 1)
                                    + "..="
                                    + (r.start() - 1)
                                    + " are missing");
                } else if (r.start() == prev.end() + 1) {
                    if (!prev.hash().equals(r.prevHash())) {
                        throw violation(
                                "hash mismatch in network '"
                                        + r.network()
                                        + "': "
                                        + describe(r)
                                        + " follows "
                                        + describe(prev)
                                        + " but its parent hash "
                                        + r.prevHash()
                                        + " is not the previous end hash "
                                        + prev.hash());
                    }
                } else {
                    if (prev.hash().equals(r.prevHash())) {
                        throw violation(
                                "overlap in network '"
                                        + r.network()
                                        + "': "
                                        + describe(r)
                                        + " starts inside "
                                        + describe(prev)
                                        + " with an unchanged parent hash; a reorg must change"
                                        + " it");
                    }
                    rollbacks.add(new Rollback(r.network(), r.start()));
                }
            }
            previous.put(r.network(), r);
        }
        return rollbacks;
    }

    private void checkParentHashPresence(BlockRange r) {
        if (r.start() == 0 && !BlockHashes.isZero(r.prevHash())) {
            throw violation(
                    describe(r)
                            + " starts at genesis but has a non-zero parent hash "
                            + r.prevHash());
        }
        if (r.start() > 0 && BlockHashes.isZero(r.prevHash())) {
            throw violation(describe(r) + " does not start at genesis but has no parent hash");
        }
    }

    private static String describe(BlockRange r) {
        return "range " + r.start() + "..=" + r.end() + " (hash " + r.hash() + ")";
    }

    private AmpProtocolException violation(String what) {
        return new AmpProtocolException(
                "Amp protocol violation in stream '" + stream + "': " + what + ".");
    }
}
