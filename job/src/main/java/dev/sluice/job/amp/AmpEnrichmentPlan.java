package dev.sluice.job.amp;

import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.FieldSpec;
import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.job.enrich.Enrichment;
import dev.sluice.job.enrich.ExpressionException;
import dev.sluice.job.enrich.Lookup;
import dev.sluice.job.enrich.LookupSetupException;
import dev.sluice.job.enrich.RowEnricher;
import dev.sluice.job.enrich.RowExpression;
import dev.sluice.sinks.postgres.ColumnDef;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sinks.postgres.internal.TableCatalog;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The enrichment of an Amp pipeline's tables, planned: lookups, computed {@code fields} (appended
 * to the table's own columns) and {@code filter}, checked against each table's columns once the
 * table exists; the lookup and field columns and the dead-letter tables are added to the target.
 */
final class AmpEnrichmentPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Elements of the Amp operator are whole batches (up to ~2 MiB, thousands of rows, each row's
     * lookups bounded by their own max_in_flight): a few in flight keep the lookups busy without
     * holding many batches in memory and in checkpoints.
     */
    private static final int BATCHES_IN_FLIGHT = 4;

    private final String pipeline;
    private final List<EnrichmentSpec> lookups;
    private final List<FieldSpec> fields;
    private final String filter;
    private final Map<TableRef, AmpTableEnrichment> tables = new LinkedHashMap<>();

    AmpEnrichmentPlan(
            String pipeline, List<EnrichmentSpec> lookups, List<FieldSpec> fields, String filter) {
        this.pipeline = pipeline;
        this.lookups = List.copyOf(lookups);
        this.fields = List.copyOf(fields);
        this.filter = filter;
    }

    boolean isEmpty() {
        return lookups.isEmpty() && fields.isEmpty() && filter == null;
    }

    /**
     * Plans the enrichment of {@code target} (created from {@code schema} already) and adds its new
     * columns and its dead-letter table.
     */
    void prepare(Connection c, String stream, TableRef target, Schema schema, List<String> keys)
            throws AmpJobPlan.SetupException, SQLException {
        if (keys != null) {
            // A table merged by key undoes a reorg with upserts of prior versions, not a rollback
            // record, so the lookups would never hear of the reorg and keep answers of the fork.
            throw new AmpJobPlan.SetupException(
                    "Pipeline "
                            + pipeline
                            + ": stream "
                            + stream
                            + " is merged by key; enrichment supports appended Amp tables only",
                    null);
        }
        for (Field f : schema.getFields()) {
            if (!ArrowRows.supported(f.getType())) {
                throw new AmpJobPlan.SetupException(
                        "Pipeline "
                                + pipeline
                                + ": stream "
                                + stream
                                + " is enriched, which needs scalar columns; column '"
                                + f.getName()
                                + "' is "
                                + f.getType()
                                + ". Sync the enriched columns in a pipeline of their own.",
                        null);
            }
        }
        Map<String, String> rowTypes = TableCatalog.readColumns(c, target);
        RowEnricher enricher;
        try {
            enricher = RowEnricher.prepare(pipeline, lookups, rowTypes);
        } catch (LookupSetupException e) {
            throw new AmpJobPlan.SetupException(e.getMessage() + " (table " + target + ")", e);
        }
        Map<String, String> types = enricher.enrichedTypes();
        Map<String, String> added = new LinkedHashMap<>(enricher.outputTypes());
        List<AmpTableEnrichment.Field> computed = new ArrayList<>();
        for (FieldSpec f : fields) {
            if (types.containsKey(f.column)) {
                throw new AmpJobPlan.SetupException(
                        "Pipeline "
                                + pipeline
                                + ": field "
                                + f.column
                                + " is already a column of "
                                + target
                                + "; on Amp pipelines fields add columns",
                        null);
            }
            RowExpression e = compile("field " + f.column, f.sourceColumn, types.keySet());
            String type = f.sqlType(e.sqlType(), types);
            if (type == null) {
                throw new AmpJobPlan.SetupException(f.untypedMessage(pipeline), null);
            }
            computed.add(new AmpTableEnrichment.Field(f.column, e, f.dtype));
            types.put(f.column, type);
            added.put(f.column, type);
        }
        RowExpression compiledFilter =
                filter == null ? null : compile("filter", filter, types.keySet());
        List<ColumnDef> columns = new ArrayList<>();
        added.forEach(
                (name, type) ->
                        columns.add(
                                new ColumnDef(
                                        name, ColumnDef.isSafeType(type) ? type : "text", true)));
        if (!columns.isEmpty()) {
            PostgresTables.ensureTable(c, target, columns, List.of(), false);
        }
        TableRef deadLetters = null;
        if (enricher.hasDeadLetters()) {
            deadLetters = new TableRef(target.schema(), target.table() + "_dead_letter");
            PostgresTables.ensureTable(c, deadLetters, DeadLetters.columns(true), List.of(), false);
        }
        Set<String> inputs = new LinkedHashSet<>();
        for (EnrichmentSpec spec : lookups) {
            for (String column : Lookup.columnsRead(spec)) {
                if (rowTypes.containsKey(column)) {
                    inputs.add(column);
                }
            }
        }
        tables.put(
                target,
                new AmpTableEnrichment(
                        pipeline,
                        target,
                        enricher,
                        computed,
                        compiledFilter,
                        deadLetters,
                        List.copyOf(inputs)));
    }

    private RowExpression compile(String what, String source, Set<String> columns)
            throws AmpJobPlan.SetupException {
        try {
            return RowExpression.compile(source, columns);
        } catch (ExpressionException e) {
            throw new AmpJobPlan.SetupException(
                    "Pipeline " + pipeline + ": " + what + ": " + e.getMessage(), e);
        }
    }

    /** Adds the async enrichment operator after the reorg operator. */
    DataStream<PostgresSinkRecord> apply(
            DataStream<PostgresSinkRecord> rows, String name, int parallelism) {
        Duration timeout = Enrichment.operatorTimeout(lookups);
        return AsyncDataStream.orderedWait(
                        rows,
                        new AmpEnrichFunction(tables, timeout),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS,
                        BATCHES_IN_FLIGHT)
                .uid(name + "-enrich")
                .name(name + " enrich " + Enrichment.names(lookups))
                .setParallelism(parallelism);
    }
}
