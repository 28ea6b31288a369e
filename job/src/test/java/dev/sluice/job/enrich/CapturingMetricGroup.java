package dev.sluice.job.enrich;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A metric group that keeps what is registered, by dotted name below it, for assertions. */
final class CapturingMetricGroup extends UnregisteredMetricsGroup {

    private final String prefix;
    private final Map<String, Object> metrics;

    CapturingMetricGroup() {
        this("", new ConcurrentHashMap<>());
    }

    private CapturingMetricGroup(String prefix, Map<String, Object> metrics) {
        this.prefix = prefix;
        this.metrics = metrics;
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        return new CapturingMetricGroup(prefix + key + "." + value + ".", metrics);
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new CapturingMetricGroup(prefix + name + ".", metrics);
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        metrics.put(prefix + name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        metrics.put(prefix + name, gauge);
        return gauge;
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        metrics.put(prefix + name, histogram);
        return histogram;
    }

    @Override
    public <M extends Meter> M meter(String name, M meter) {
        metrics.put(prefix + name, meter);
        return meter;
    }

    long count(String name) {
        Object m = metrics.get(name);
        if (m instanceof Counter) {
            return ((Counter) m).getCount();
        }
        if (m instanceof Histogram) {
            return ((Histogram) m).getCount();
        }
        throw new AssertionError("no counter " + name + " among " + metrics.keySet());
    }

    Object gaugeValue(String name) {
        Object m = metrics.get(name);
        if (!(m instanceof Gauge)) {
            throw new AssertionError("no gauge " + name + " among " + metrics.keySet());
        }
        return ((Gauge<?>) m).getValue();
    }

    java.util.Set<String> names() {
        return metrics.keySet();
    }
}
