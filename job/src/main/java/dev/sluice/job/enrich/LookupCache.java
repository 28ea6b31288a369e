package dev.sluice.job.enrich;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * The answers of one lookup in one subtask, by request, each tagged with the block of the row that
 * asked (-1 off-chain). A reorg {@link #rollback}s the answers of rolled-back blocks, and answers
 * asked before a rollback that arrive after it are not kept: the epoch tells them apart.
 */
final class LookupCache {

    /** A cached answer and the block it was asked for. */
    private static final class Entry {
        final long block;
        final Map<String, Object> values;

        Entry(long block, Map<String, Object> values) {
            this.block = block;
            this.values = values;
        }
    }

    private final Cache<String, Entry> cache;
    private long epoch;

    /** {@code size} 0 switches caching off. */
    LookupCache(long size, Duration ttl) {
        this.cache =
                size <= 0
                        ? null
                        : CacheBuilder.newBuilder().maximumSize(size).expireAfterWrite(ttl).build();
    }

    boolean enabled() {
        return cache != null;
    }

    /** The cached answer, or null. */
    Map<String, Object> get(String key) {
        Entry e = cache == null ? null : cache.getIfPresent(key);
        return e == null ? null : e.values;
    }

    /** The epoch to pass to {@link #put} for an answer asked now. */
    synchronized long epoch() {
        return epoch;
    }

    /** Keeps an answer unless a rollback happened since it was asked ({@code askedEpoch}). */
    synchronized void put(String key, long block, Map<String, Object> values, long askedEpoch) {
        if (cache != null && askedEpoch == epoch) {
            cache.put(key, new Entry(block, values));
        }
    }

    /** Drops answers asked for block {@code fromBlock} or later. */
    synchronized void rollback(long fromBlock) {
        epoch++;
        if (cache != null) {
            cache.asMap().values().removeIf(e -> e.block >= fromBlock);
        }
    }

    long size() {
        return cache == null ? 0 : cache.size();
    }
}
