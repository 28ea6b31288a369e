package dev.sluice.job.amp;

import dev.sluice.job.config.DataType;
import dev.sluice.job.enrich.ExpressionException;
import dev.sluice.job.enrich.RowEnricher;
import dev.sluice.job.enrich.RowExpression;
import dev.sluice.sinks.postgres.TableRef;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * What enriches one Amp table: its lookups, computed fields and filter, checked against the table's
 * columns, and where its dead letters go.
 */
final class AmpTableEnrichment implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A computed column. */
    static final class Field implements Serializable {
        private static final long serialVersionUID = 1L;
        final String column;
        final RowExpression expression;
        final DataType dtype;

        Field(String column, RowExpression expression, DataType dtype) {
            this.column = column;
            this.expression = expression;
            this.dtype = dtype;
        }
    }

    final String pipeline;
    final TableRef target;
    final RowEnricher enricher;
    final List<Field> fields;
    final RowExpression filter;
    final TableRef deadLetters;

    /** The row columns the lookups read: rows equal in these get the same answers. */
    final List<String> lookupInputs;

    AmpTableEnrichment(
            String pipeline,
            TableRef target,
            RowEnricher enricher,
            List<Field> fields,
            RowExpression filter,
            TableRef deadLetters,
            List<String> lookupInputs) {
        this.pipeline = pipeline;
        this.target = target;
        this.enricher = enricher;
        this.fields = fields;
        this.filter = filter;
        this.deadLetters = deadLetters;
        this.lookupInputs = lookupInputs;
    }

    /** Computes the fields into {@code row}; false when the filter leaves the row out. */
    boolean complete(Map<String, Object> row) {
        try {
            for (Field f : fields) {
                Object v = f.expression.evaluate(row);
                row.put(
                        f.column,
                        f.dtype == null ? v : dev.sluice.job.cdc.Coercions.coerce(v, f.dtype));
            }
            return filter == null || filter.test(row);
        } catch (ExpressionException | IllegalArgumentException e) {
            throw new FlinkRuntimeException(
                    "Pipeline " + pipeline + ", table " + target + ": " + e.getMessage(), e);
        }
    }
}
