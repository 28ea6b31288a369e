package dev.sluice.sources.amp.testutils;

import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.protocol.BlockHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * What a consumer that applies the source's records would hold, per block: how many rows, and which
 * block hash they carry. Rows of an abandoned fork left behind show up as wrong counts or hashes;
 * lost rows as missing blocks.
 */
public final class ChainModel {

    /** Rows of one block, and the (single) block hash they all carry. */
    public static final class Block {
        public final long rows;
        public final String hash;

        Block(long rows, String hash) {
            this.rows = rows;
            this.hash = hash;
        }

        @Override
        public String toString() {
            return rows + "@" + hash;
        }
    }

    private final ConcurrentSkipListMap<Long, Block> blocks = new ConcurrentSkipListMap<>();
    private volatile long completedHead = -1;

    public synchronized void apply(AmpRecord r) {
        switch (r.kind()) {
            case ROLLBACK:
                blocks.tailMap(r.fromBlock(), true).clear();
                if (completedHead >= r.fromBlock()) {
                    completedHead = r.fromBlock() - 1;
                }
                break;
            case COMPLETE:
                completedHead = Math.max(completedHead, r.ranges().get(0).end());
                break;
            case DATA:
                addRows(r.arrowIpc());
                break;
            default:
                throw new IllegalStateException();
        }
    }

    private void addRows(byte[] ipc) {
        try (RootAllocator allocator = new RootAllocator();
                ArrowStreamReader reader =
                        new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                UInt8Vector num = (UInt8Vector) root.getVector("_block_num");
                FixedSizeBinaryVector hash =
                        root.getVector("block_hash") != null
                                ? (FixedSizeBinaryVector) root.getVector("block_hash")
                                : (FixedSizeBinaryVector) root.getVector("hash");
                for (int i = 0; i < root.getRowCount(); i++) {
                    long b = num.get(i);
                    String h = BlockHashes.toHex(hash.get(i));
                    Block old = blocks.get(b);
                    if (old != null && !old.hash.equals(h)) {
                        throw new AssertionError(
                                "Block " + b + " has rows of two forks: " + old.hash + " and " + h);
                    }
                    blocks.put(b, new Block(old == null ? 1 : old.rows + 1, h));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long completedHead() {
        return completedHead;
    }

    public Map<Long, Block> blocks() {
        return blocks;
    }
}
