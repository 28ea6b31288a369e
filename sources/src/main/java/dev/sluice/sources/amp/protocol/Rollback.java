package dev.sluice.sources.amp.protocol;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a reorg means for a consumer: every block of {@code network} from {@code fromBlock} on is
 * invalid.
 */
public final class Rollback implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String network;
    private final long fromBlock;

    public Rollback(String network, long fromBlock) {
        this.network = Objects.requireNonNull(network, "network");
        this.fromBlock = fromBlock;
    }

    public String network() {
        return network;
    }

    public long fromBlock() {
        return fromBlock;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rollback
                && ((Rollback) o).network.equals(network)
                && ((Rollback) o).fromBlock == fromBlock;
    }

    @Override
    public int hashCode() {
        return Objects.hash(network, fromBlock);
    }

    @Override
    public String toString() {
        return "Rollback(" + network + " from " + fromBlock + ")";
    }
}
