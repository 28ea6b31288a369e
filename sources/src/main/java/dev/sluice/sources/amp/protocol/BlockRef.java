package dev.sluice.sources.amp.protocol;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Objects;

/** One block of one chain: its number and hash. The unit of Amp's resume cursor. */
public final class BlockRef implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long number;
    private final String hash;

    public BlockRef(long number, String hash) {
        if (number < 0) {
            throw new IllegalArgumentException("Block number must not be negative: " + number);
        }
        this.number = number;
        this.hash = BlockHashes.normalize(requireNonNull(hash, "hash"));
    }

    public long number() {
        return number;
    }

    public String hash() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockRef
                && ((BlockRef) o).number == number
                && ((BlockRef) o).hash.equals(hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, hash);
    }

    @Override
    public String toString() {
        return "#" + number + "(" + hash + ")";
    }
}
