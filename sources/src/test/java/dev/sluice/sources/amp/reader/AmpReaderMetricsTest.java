package dev.sluice.sources.amp.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** The names (docs/operations.md) and values of the per-stream source metrics. */
class AmpReaderMetricsTest {

    /** Records every metric under its dotted path below the source group. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        private final Map<String, Metric> metrics;
        private final String path;

        RecordingGroup(Map<String, Metric> metrics, String path) {
            this.metrics = metrics;
            this.path = path;
        }

        private <M extends Metric> M add(String name, M metric) {
            metrics.put(path + name, metric);
            return metric;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new RecordingGroup(metrics, path + name + ".");
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(metrics, path + key + "." + value + ".");
        }

        @Override
        public org.apache.flink.metrics.Counter counter(String name) {
            return add(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public org.apache.flink.metrics.Counter counter(
                String name, org.apache.flink.metrics.Counter counter) {
            return add(name, counter);
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            return add(name, gauge);
        }

        @Override
        public <M extends org.apache.flink.metrics.Meter> M meter(String name, M meter) {
            return add(name, meter);
        }
    }

    @Test
    void perStreamMetricsAreNamedAsDocumented() {
        Map<String, Metric> metrics = new HashMap<>();
        new AmpReaderMetrics(new RecordingGroup(metrics, "")).stream("ds.blocks");

        assertThat(metrics)
                .containsOnlyKeys(
                        "amp.stream.ds.blocks.rows",
                        "amp.stream.ds.blocks.bytes",
                        "amp.stream.ds.blocks.reconnects",
                        "amp.stream.ds.blocks.reorgs",
                        "amp.stream.ds.blocks.currentBlock",
                        "amp.stream.ds.blocks.currentBlockTimestamp",
                        "amp.stream.ds.blocks.lagSeconds",
                        "amp.stream.ds.blocks.lastRollbackDepth",
                        "amp.stream.ds.blocks.rowsPerSecond",
                        "amp.stream.ds.blocks.bytesPerSecond");
        assertThat(gauge(metrics, "currentBlock")).isEqualTo(-1L);
        assertThat(gauge(metrics, "lagSeconds")).isEqualTo(-1L);
    }

    @Test
    void lagIsTheAgeOfTheCurrentBlock() {
        Map<String, Metric> metrics = new HashMap<>();
        AmpReaderMetrics.StreamMetrics m =
                new AmpReaderMetrics(new RecordingGroup(metrics, "")).stream("ds.blocks");
        long now = System.currentTimeMillis() / 1000;

        m.currentBlock = 42;
        m.currentBlockTimestamp = now - 30;

        assertThat(gauge(metrics, "currentBlock")).isEqualTo(42L);
        assertThat((Long) gauge(metrics, "lagSeconds")).isBetween(30L, 32L);
        m.currentBlockTimestamp = now + 60; // a clock ahead of ours is no negative lag
        assertThat(gauge(metrics, "lagSeconds")).isEqualTo(0L);
    }

    private static Object gauge(Map<String, Metric> metrics, String name) {
        return ((Gauge<?>) metrics.get("amp.stream.ds.blocks." + name)).getValue();
    }
}
