package dev.sluice.job.enrich;

import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.EnrichmentSpec.OnError;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.MetricGroup;

/**
 * Runs a pipeline's lookups on a row, in the order configured (a later lookup may use what an
 * earlier one found), and applies each lookup's failure policy. Shared by the CDC and the Amp
 * enrichment operators; one instance per subtask.
 */
public final class RowEnricher implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;

    /** What became of a row. */
    public static final class Outcome {
        /** The row with every lookup's columns; null for a dead letter. */
        public final Map<String, Object> row;

        /** The lookup that failed under {@code on_error: dead_letter}, and its error. */
        public final String deadLookup;

        public final String error;

        private Outcome(Map<String, Object> row, String deadLookup, String error) {
            this.row = row;
            this.deadLookup = deadLookup;
            this.error = error;
        }

        public boolean isDeadLetter() {
            return deadLookup != null;
        }
    }

    private final String pipeline;
    private final List<EnrichmentSpec> specs;
    private final List<Map<String, String>> inputTypes;
    private final List<Map<String, String>> outputTypes;

    private transient List<Lookup> lookups;

    private RowEnricher(
            String pipeline,
            List<EnrichmentSpec> specs,
            List<Map<String, String>> inputTypes,
            List<Map<String, String>> outputTypes) {
        this.pipeline = pipeline;
        this.specs = specs;
        this.inputTypes = inputTypes;
        this.outputTypes = outputTypes;
    }

    /**
     * Checks every lookup against the row it will see ({@code rowTypes}, then the columns of the
     * lookups before it).
     *
     * @throws LookupSetupException naming the pipeline, the lookup and what is wrong
     */
    public static RowEnricher prepare(
            String pipeline, List<EnrichmentSpec> specs, Map<String, String> rowTypes)
            throws LookupSetupException {
        Map<String, String> types = new LinkedHashMap<>(rowTypes);
        List<Map<String, String>> inputs = new ArrayList<>();
        List<Map<String, String>> outputs = new ArrayList<>();
        for (EnrichmentSpec spec : specs) {
            inputs.add(new LinkedHashMap<>(types));
            Map<String, String> out;
            try {
                out = new LinkedHashMap<>(Lookup.describe(spec, types));
            } catch (LookupSetupException e) {
                throw new LookupSetupException(
                        "Pipeline " + pipeline + ": " + e.getMessage(), e.getCause());
            }
            for (String column : out.keySet()) {
                if (types.containsKey(column)) {
                    throw new LookupSetupException(
                            "Pipeline "
                                    + pipeline
                                    + ", lookup "
                                    + spec.name
                                    + ": output column "
                                    + column
                                    + " is already a column of the row; name it differently in"
                                    + " output",
                            null);
                }
            }
            types.putAll(out);
            outputs.add(out);
        }
        return new RowEnricher(pipeline, List.copyOf(specs), inputs, outputs);
    }

    /** The row's columns after every lookup: the input columns, then each lookup's outputs. */
    public Map<String, String> enrichedTypes() {
        Map<String, String> all =
                new LinkedHashMap<>(inputTypes.isEmpty() ? Map.of() : inputTypes.get(0));
        outputTypes.forEach(all::putAll);
        return all;
    }

    /** Every lookup's output column → type, in order. */
    public Map<String, String> outputTypes() {
        Map<String, String> all = new LinkedHashMap<>();
        outputTypes.forEach(all::putAll);
        return all;
    }

    /** Whether a lookup sends failed rows to the dead-letter table. */
    public boolean hasDeadLetters() {
        return specs.stream().anyMatch(s -> s.onError == OnError.DEAD_LETTER);
    }

    public void open(MetricGroup group) throws Exception {
        lookups = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Lookup lookup = new Lookup(specs.get(i), inputTypes.get(i));
            lookups.add(lookup);
            lookup.open(group);
        }
    }

    /**
     * Enriches {@code row} (modified in place). Completes exceptionally with a {@link
     * LookupFailedException} when a lookup with {@code on_error: fail} failed.
     *
     * @param block the row's block on Amp pipelines (for the cache's reorg versioning), else -1
     */
    public CompletableFuture<Outcome> enrich(Map<String, Object> row, long block) {
        return step(0, row, block);
    }

    private CompletableFuture<Outcome> step(int i, Map<String, Object> row, long block) {
        if (i == specs.size()) {
            return CompletableFuture.completedFuture(new Outcome(row, null, null));
        }
        EnrichmentSpec spec = specs.get(i);
        return lookups.get(i)
                .lookup(row, block)
                .thenCompose(
                        result -> {
                            if (!result.failed()) {
                                row.putAll(result.values());
                                return step(i + 1, row, block);
                            }
                            switch (spec.onError) {
                                case NULL:
                                    outputTypes.get(i).keySet().forEach(c -> row.put(c, null));
                                    return step(i + 1, row, block);
                                case DEAD_LETTER:
                                    return CompletableFuture.completedFuture(
                                            new Outcome(null, spec.name, result.error()));
                                default:
                                    return CompletableFuture.failedFuture(
                                            new LookupFailedException(
                                                    "Pipeline "
                                                            + pipeline
                                                            + ", lookup "
                                                            + spec.name
                                                            + " failed (on_error: fail; use"
                                                            + " on_error: null or dead_letter to"
                                                            + " go on without it): "
                                                            + result.error()));
                            }
                        });
    }

    /** A reorg: drops what the lookups cached for blocks from {@code fromBlock} on. */
    public void rollback(long fromBlock) {
        for (Lookup lookup : lookups) {
            lookup.rollback(fromBlock);
        }
    }

    public String pipeline() {
        return pipeline;
    }

    @Override
    public void close() throws Exception {
        if (lookups != null) {
            for (Lookup lookup : lookups) {
                lookup.close();
            }
        }
    }

    /** A lookup failed and its policy is to fail the job. */
    public static final class LookupFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LookupFailedException(String message) {
            super(message);
        }
    }
}
