package dev.sluice.job.enrich;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * A lookup's metrics, under {@code <operator>.lookup.<name>}: {@code lookups} (every row asked,
 * skipped ones included) and {@code lookupsPerSecond}, {@code cacheHits} (answered from the cache
 * or by joining an identical request in flight), {@code cacheMisses} (a request was sent), {@code
 * cacheHitRate} (hits / (hits + misses), 0 before any), {@code latencyMs} (sent requests, from the
 * first attempt to the last answer, retries and back-off included), {@code retries} (attempts after
 * the first) and {@code failures} (rows whose lookup failed after all retries).
 */
final class LookupMetrics {

    final Counter lookups;
    final Counter cacheHits;
    final Counter cacheMisses;
    final Counter retries;
    final Counter failures;
    final Histogram latencyMs;

    LookupMetrics(MetricGroup operatorGroup, String lookupName) {
        MetricGroup g = operatorGroup.addGroup("lookup", lookupName);
        lookups = g.counter("lookups");
        g.meter("lookupsPerSecond", new MeterView(lookups));
        cacheHits = g.counter("cacheHits");
        cacheMisses = g.counter("cacheMisses");
        g.gauge("cacheHitRate", (Gauge<Double>) this::hitRate);
        latencyMs = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        retries = g.counter("retries");
        failures = g.counter("failures");
    }

    double hitRate() {
        long hits = cacheHits.getCount();
        long total = hits + cacheMisses.getCount();
        return total == 0 ? 0.0 : (double) hits / total;
    }
}
