package dev.sluice.job.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LookupCacheTest {

    private static final Map<String, Object> V = Map.of("v", 1);

    @Test
    void rollbackDropsEntriesOfTheBlockAndLaterAndKeepsOlderAndOffChainOnes() {
        LookupCache c = new LookupCache(100, Duration.ofMinutes(1));
        c.put("a", 99, V, c.epoch());
        c.put("b", 100, V, c.epoch());
        c.put("c", 101, V, c.epoch());
        c.put("d", -1, V, c.epoch());

        c.rollback(100);

        assertThat(c.get("a")).isEqualTo(V);
        assertThat(c.get("b")).isNull();
        assertThat(c.get("c")).isNull();
        assertThat(c.get("d")).isEqualTo(V);
    }

    @Test
    void answersAskedBeforeARollbackAreNotKept() {
        LookupCache c = new LookupCache(100, Duration.ofMinutes(1));
        long asked = c.epoch();

        c.rollback(500);
        c.put("late", 10, V, asked);
        c.put("fresh", 10, V, c.epoch());

        assertThat(c.get("late")).isNull();
        assertThat(c.get("fresh")).isEqualTo(V);
    }

    @Test
    void sizeZeroKeepsNothing() {
        LookupCache c = new LookupCache(0, Duration.ofMinutes(1));
        c.put("a", 1, V, c.epoch());

        assertThat(c.enabled()).isFalse();
        assertThat(c.get("a")).isNull();
    }
}
