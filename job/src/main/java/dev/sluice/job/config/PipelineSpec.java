package dev.sluice.job.config;

import java.io.Serializable;
import java.util.List;

/**
 * One pipeline of the file, validated: a CDC pipeline (postgres source) or an Amp pipeline (amp
 * source), its optional transform SQL and its sink.
 */
public final class PipelineSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    public final String name;
    public final Datastore source;
    // CDC source
    public final String sourceSchema;
    public final String sourceTable;
    public final boolean snapshot;
    public final List<FilterSpec> filters;
    public final String slotName;
    public final String publication;
    public final long walWarningBytes;
    // Amp source
    public final String dataset;
    public final List<String> tables;
    public final int retentionBlocks;
    // transform
    public final TransformSpec transform;
    // sink
    public final Datastore sink;
    public final String sinkSchema;
    public final String sinkTable;
    public final MergeSpec merge;
    public final List<String> uniqueKey;
    public final List<FieldSpec> fields;
    // enrichment
    public final List<EnrichmentSpec> enrichment;

    /** A CEL expression over the enriched row; rows for which it is false are left out. */
    public final String filter;

    /** CDC: where rows whose lookup failed with on_error dead_letter go. */
    public final String deadLetterTable;

    PipelineSpec(
            String name,
            Datastore source,
            String sourceSchema,
            String sourceTable,
            boolean snapshot,
            List<FilterSpec> filters,
            String slotName,
            String publication,
            long walWarningBytes,
            String dataset,
            List<String> tables,
            int retentionBlocks,
            TransformSpec transform,
            Datastore sink,
            String sinkSchema,
            String sinkTable,
            MergeSpec merge,
            List<String> uniqueKey,
            List<FieldSpec> fields,
            List<EnrichmentSpec> enrichment,
            String filter,
            String deadLetterTable) {
        this.name = name;
        this.source = source;
        this.sourceSchema = sourceSchema;
        this.sourceTable = sourceTable;
        this.snapshot = snapshot;
        this.filters = List.copyOf(filters);
        this.slotName = slotName;
        this.publication = publication;
        this.walWarningBytes = walWarningBytes;
        this.dataset = dataset;
        this.tables = List.copyOf(tables);
        this.retentionBlocks = retentionBlocks;
        this.transform = transform;
        this.sink = sink;
        this.sinkSchema = sinkSchema;
        this.sinkTable = sinkTable;
        this.merge = merge;
        this.uniqueKey = List.copyOf(uniqueKey);
        this.fields = List.copyOf(fields);
        this.enrichment = List.copyOf(enrichment);
        this.filter = filter;
        this.deadLetterTable = deadLetterTable;
    }

    public boolean isCdc() {
        return source.type == Datastore.Type.POSTGRES;
    }

    /** Whether any lookup sends failed rows to a dead-letter table. */
    public boolean hasDeadLetters() {
        return enrichment.stream().anyMatch(e -> e.onError == EnrichmentSpec.OnError.DEAD_LETTER);
    }

    @Override
    public String toString() {
        return "Pipeline{" + name + ", " + (isCdc() ? "cdc" : "amp") + '}';
    }
}
