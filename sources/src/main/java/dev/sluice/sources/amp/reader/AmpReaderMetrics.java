package dev.sluice.sources.amp.reader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Per-stream source metrics, under {@code ...source.amp.stream.<id>}: current block (the end of the
 * last completed range), its age ({@code lagSeconds}, from the block timestamp the server sends),
 * rows, bytes, reconnects (resumptions), reorgs and the depth of the last rollback.
 */
final class AmpReaderMetrics {

    private final MetricGroup group;
    private final Map<String, StreamMetrics> streams = new ConcurrentHashMap<>();

    AmpReaderMetrics(MetricGroup sourceGroup) {
        this.group = sourceGroup.addGroup("amp");
    }

    StreamMetrics stream(String id) {
        return streams.computeIfAbsent(id, k -> new StreamMetrics(group.addGroup("stream", k)));
    }

    /** The metrics of one stream. */
    static final class StreamMetrics {
        final Counter rows;
        final Counter bytes;
        final Counter reconnects;
        final Counter reorgs;
        volatile long currentBlock = -1;

        /** Unix seconds of {@link #currentBlock}, or -1 while unknown (the server sent none). */
        volatile long currentBlockTimestamp = -1;

        volatile long lastRollbackDepth;

        StreamMetrics(MetricGroup g) {
            rows = g.counter("rows");
            bytes = g.counter("bytes");
            reconnects = g.counter("reconnects");
            reorgs = g.counter("reorgs");
            g.gauge("currentBlock", () -> currentBlock);
            g.gauge("currentBlockTimestamp", () -> currentBlockTimestamp);
            g.gauge("lagSeconds", this::lagSeconds);
            g.gauge("lastRollbackDepth", () -> lastRollbackDepth);
            g.meter("rowsPerSecond", new org.apache.flink.metrics.MeterView(rows));
            g.meter("bytesPerSecond", new org.apache.flink.metrics.MeterView(bytes));
        }

        /** Wall clock minus the current block's timestamp; -1 while unknown. */
        long lagSeconds() {
            long ts = currentBlockTimestamp;
            return ts < 0 ? -1 : Math.max(0, System.currentTimeMillis() / 1000 - ts);
        }
    }
}
