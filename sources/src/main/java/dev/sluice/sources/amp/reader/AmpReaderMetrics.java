package dev.sluice.sources.amp.reader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Per-stream source metrics, under {@code ...source.amp.stream.<id>}: current block, rows, bytes,
 * reconnects (resumptions), reorgs and the depth of the last rollback.
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
        volatile long lastRollbackDepth;

        StreamMetrics(MetricGroup g) {
            rows = g.counter("rows");
            bytes = g.counter("bytes");
            reconnects = g.counter("reconnects");
            reorgs = g.counter("reorgs");
            g.gauge("currentBlock", () -> currentBlock);
            g.gauge("lastRollbackDepth", () -> lastRollbackDepth);
            g.meter("rowsPerSecond", new org.apache.flink.metrics.MeterView(rows));
            g.meter("bytesPerSecond", new org.apache.flink.metrics.MeterView(bytes));
        }
    }
}
