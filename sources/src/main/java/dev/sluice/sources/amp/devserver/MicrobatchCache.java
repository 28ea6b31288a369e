package dev.sluice.sources.amp.devserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The record batches of microbatches already generated, kept to serve later streams of the same
 * rows from memory, as an Amp server serves stored data instead of computing it again. Off by
 * default: it holds every microbatch it has served, up to half the maximum heap (the benchmark
 * streams a fixed chain many times and keeps the generation off the cores it measures).
 *
 * <p>A microbatch's rows are fixed by the query's table and columns, its range and the fork that
 * owns its last block: forks are numbered once and cover everything from their fork point to the
 * head, so that fork also fixes every block before it.
 */
final class MicrobatchCache implements AutoCloseable {

    /**
     * Beyond this the cache stops growing (later microbatches are generated each time): half the
     * JVM's maximum heap, which is also its default limit of direct memory.
     */
    private static final long MAX_BYTES = Runtime.getRuntime().maxMemory() / 2;

    /** Identifies a microbatch's rows; only queries without filters or limit are cached. */
    static final class Key {
        private final String query;
        private final long start;
        private final long end;
        private final int fork;

        /** {@code query} is {@link #queryKey} of the stream's query. */
        Key(String query, ChainView view, long start, long end) {
            this.query = query;
            this.start = start;
            this.end = end;
            this.fork = view.forkAt(end);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return start == k.start && end == k.end && fork == k.fork && query.equals(k.query);
        }

        @Override
        public int hashCode() {
            return Objects.hash(query, start, end, fork);
        }
    }

    private final BufferAllocator allocator;
    private final ConcurrentHashMap<Key, List<ArrowRecordBatch>> batches =
            new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();

    MicrobatchCache(BufferAllocator parent) {
        this.allocator = parent.newChildAllocator("amp-dev-microbatch-cache", 0, Long.MAX_VALUE);
    }

    /** What a query's rows depend on besides the range: its table and columns. */
    static String queryKey(BoundQuery query) {
        StringBuilder key = new StringBuilder(query.table.name());
        for (Column c : query.projection) {
            key.append(',').append(c.field.getName());
        }
        return key.toString();
    }

    static boolean cacheable(BoundQuery query) {
        return query.predicates.isEmpty() && query.limit < 0;
    }

    /**
     * Where streams that may fill the cache allocate their vectors: cached batches outlive them.
     */
    BufferAllocator allocator() {
        return allocator;
    }

    /** The microbatch's batches, or null when it was not served before. */
    List<ArrowRecordBatch> get(Key key) {
        List<ArrowRecordBatch> found = batches.get(key);
        if (found != null) {
            hits.incrementAndGet();
        }
        return found;
    }

    /** Whether a microbatch generated now may be kept. */
    boolean hasRoom() {
        return allocator.getAllocatedMemory() < MAX_BYTES;
    }

    /**
     * A copy of {@code batch} in one buffer of the bytes it uses: the vectors it was unloaded from
     * were allocated for a full slice and rounded up, several times what a microbatch fills.
     */
    ArrowRecordBatch compactCopy(ArrowRecordBatch batch) {
        List<ArrowBuf> buffers = batch.getBuffers();
        long total = 0;
        for (ArrowBuf b : buffers) {
            total += align(b.readableBytes());
        }
        List<ArrowBuf> slices = new ArrayList<>(buffers.size());
        try (ArrowBuf all = allocator.buffer(Math.max(total, 8))) {
            long at = 0;
            for (ArrowBuf b : buffers) {
                long length = b.readableBytes();
                all.setBytes(at, b, b.readerIndex(), length);
                ArrowBuf slice = all.slice(at, length);
                slice.writerIndex(length);
                slices.add(slice);
                at += align(length);
            }
            // The new batch retains its slices; closing `all` leaves them the only owners.
            return new ArrowRecordBatch(
                    batch.getLength(),
                    batch.getNodes(),
                    slices,
                    batch.getBodyCompression(),
                    batch.getVariadicBufferCounts(),
                    true);
        }
    }

    private static long align(long length) {
        return (length + 7) & ~7L;
    }

    /** Keeps a complete microbatch's batches (takes them over). */
    void put(Key key, List<ArrowRecordBatch> complete) {
        if (batches.putIfAbsent(key, complete) != null) {
            complete.forEach(ArrowRecordBatch::close);
        }
    }

    /** How many microbatches were served from memory. */
    long hits() {
        return hits.get();
    }

    @Override
    public void close() {
        batches.values().forEach(list -> list.forEach(ArrowRecordBatch::close));
        batches.clear();
        allocator.close();
    }
}
