package dev.sluice.sources.amp.protocol;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Objects;

/**
 * An inclusive range of blocks of one network, as Amp attaches it to every record batch: {@code
 * hash} is the hash of the end block, {@code prevHash} the parent hash of the start block (null or
 * zero at genesis), {@code timestamp} the end block's unix seconds (optional).
 */
public final class BlockRange implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String network;
    private final long start;
    private final long end;
    private final String hash;
    private final String prevHash;
    private final Long timestamp;

    public BlockRange(
            String network, long start, long end, String hash, String prevHash, Long timestamp) {
        this.network = requireNonNull(network, "network");
        if (start < 0 || end < start) {
            throw new AmpProtocolException(
                    "Invalid block range " + start + "..=" + end + " of network " + network);
        }
        this.start = start;
        this.end = end;
        this.hash = BlockHashes.normalize(requireNonNull(hash, "hash"));
        this.prevHash = BlockHashes.normalize(prevHash);
        this.timestamp = timestamp;
    }

    public String network() {
        return network;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public String hash() {
        return hash;
    }

    /** Parent hash of the start block; null when the server left it out (genesis only). */
    public String prevHash() {
        return prevHash;
    }

    public Long timestamp() {
        return timestamp;
    }

    /** The end block, as a resume cursor entry. */
    public BlockRef endRef() {
        return new BlockRef(end, hash);
    }

    /** Same network, numbers and hashes (the timestamp is informational). */
    public boolean sameRange(BlockRange other) {
        return network.equals(other.network)
                && start == other.start
                && end == other.end
                && hash.equals(other.hash)
                && Objects.equals(prevHash, other.prevHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockRange
                && sameRange((BlockRange) o)
                && Objects.equals(timestamp, ((BlockRange) o).timestamp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(network, start, end, hash, prevHash, timestamp);
    }

    @Override
    public String toString() {
        return network + "[" + start + "..=" + end + "]";
    }
}
