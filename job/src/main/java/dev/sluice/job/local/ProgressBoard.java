package dev.sluice.job.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-stream progress that operators report and the local runner prints. On an embedded Flink the
 * operators run in this JVM, so a process-wide board is all it takes; on a cluster nobody reads it
 * (metrics serve there) and updating it costs a few atomic writes per batch.
 */
public final class ProgressBoard {

    private static final Map<String, Stream> STREAMS = new ConcurrentHashMap<>();

    private ProgressBoard() {}

    public static Stream stream(String id, String table) {
        return STREAMS.computeIfAbsent(id, k -> new Stream(id, table));
    }

    public static List<Stream> streams() {
        List<Stream> list = new ArrayList<>(STREAMS.values());
        list.sort((a, b) -> a.id.compareTo(b.id));
        return list;
    }

    /** Forgets everything (tests, or a new local run in the same JVM). */
    public static void clear() {
        STREAMS.clear();
    }

    /** Progress of one stream. */
    public static final class Stream {
        final String id;
        final String table;
        final AtomicLong rows = new AtomicLong();
        final AtomicLong reorgs = new AtomicLong();
        volatile long block = -1;
        volatile long lastRangeBlocks;
        volatile String stopped;

        Stream(String id, String table) {
            this.id = id;
            this.table = table;
        }

        public void rows(long n) {
            rows.addAndGet(n);
        }

        public void completed(long endBlock, long rangeBlocks) {
            block = Math.max(block, endBlock);
            lastRangeBlocks = rangeBlocks;
        }

        public void reorg(long depth) {
            reorgs.incrementAndGet();
        }

        public void stopped(String reason) {
            stopped = reason;
        }

        public String id() {
            return id;
        }

        public String table() {
            return table;
        }

        public long rows() {
            return rows.get();
        }

        public long block() {
            return block;
        }

        public long reorgs() {
            return reorgs.get();
        }

        public String stoppedReason() {
            return stopped;
        }

        /**
         * Whether the stream follows the chain head rather than catching up: Amp sends ranges of up
         * to 1000 blocks while backfilling and one or a few blocks at the head. (Block timestamps
         * would say it too, but test chains and replayed chains carry old ones.)
         */
        public boolean followingHead() {
            return block >= 0 && lastRangeBlocks <= 10;
        }
    }
}
