package dev.sluice.job.enrich;

import dev.sluice.job.config.EnrichmentSpec;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Settings of the async enrichment operator, derived from a pipeline's lookups. */
public final class Enrichment {

    /**
     * Slack for a row that waits behind others of its lookup ({@code max_in_flight}) before its own
     * attempts start: the operator's timeout is a last resort, not a lookup timeout.
     */
    private static final Duration QUEUEING = Duration.ofMinutes(10);

    private Enrichment() {}

    /**
     * How long one element may take through every lookup: each lookup's attempts and back-offs (the
     * lookups enforce their own per-attempt timeouts), plus queueing.
     */
    public static Duration operatorTimeout(List<EnrichmentSpec> specs) {
        Duration total = QUEUEING;
        for (EnrichmentSpec s : specs) {
            Duration attempts = s.timeout.multipliedBy(s.retries + 1L);
            Duration backoff = s.backoff.multipliedBy(1L << Math.min(s.retries, 20));
            total =
                    total.plus(attempts)
                            .plus(
                                    backoff.compareTo(Duration.ofMinutes(5)) > 0
                                            ? Duration.ofMinutes(5)
                                            : backoff);
        }
        return total;
    }

    /** Elements the async operator holds at once: the largest {@code max_in_flight}. */
    public static int capacity(List<EnrichmentSpec> specs) {
        return specs.stream().mapToInt(s -> s.maxInFlight).max().orElse(100);
    }

    public static String names(List<EnrichmentSpec> specs) {
        return specs.stream().map(s -> s.name).collect(Collectors.joining(", "));
    }
}
