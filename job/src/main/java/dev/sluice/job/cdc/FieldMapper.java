package dev.sluice.job.cdc;

import dev.sluice.job.config.FieldSpec;
import dev.sluice.job.enrich.ExpressionException;
import dev.sluice.job.enrich.RowExpression;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * The last row-level step of a CDC pipeline: the {@code filter} expression, then {@code fields}
 * (columns renamed and coerced, or computed by expressions). Built at setup, when the row's columns
 * and types are known, so a bad expression or a missing column fails before the job runs.
 */
final class FieldMapper implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String pipeline;
    private final List<FieldSpec> fields;
    private final Map<String, RowExpression> expressions;
    private final RowExpression filter;
    private final Map<String, String> targetTypes;

    private FieldMapper(
            String pipeline,
            List<FieldSpec> fields,
            Map<String, RowExpression> expressions,
            RowExpression filter,
            Map<String, String> targetTypes) {
        this.pipeline = pipeline;
        this.fields = fields;
        this.expressions = expressions;
        this.filter = filter;
        this.targetTypes = targetTypes;
    }

    /**
     * Checks {@code fields} and {@code filter} against the row's columns ({@code rowTypes}, in
     * order).
     *
     * @throws PipelineSetupException naming the field and what is wrong
     */
    static FieldMapper of(
            String pipeline, List<FieldSpec> fields, String filter, Map<String, String> rowTypes)
            throws PipelineSetupException {
        Map<String, RowExpression> expressions = new HashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        if (fields.isEmpty()) {
            types.putAll(rowTypes);
        }
        for (FieldSpec f : fields) {
            if (!f.expression) {
                if (!rowTypes.containsKey(f.sourceColumn)) {
                    throw new PipelineSetupException(
                            "Pipeline "
                                    + pipeline
                                    + ": field "
                                    + f.column
                                    + " reads source column "
                                    + f.sourceColumn
                                    + ", which is not among "
                                    + rowTypes.keySet());
                }
                types.put(f.column, f.sqlType(null, rowTypes));
                continue;
            }
            RowExpression e = compile(pipeline, "field " + f.column, f.sourceColumn, rowTypes);
            String type = f.sqlType(e.sqlType(), rowTypes);
            if (type == null) {
                throw new PipelineSetupException(f.untypedMessage(pipeline));
            }
            expressions.put(f.column, e);
            types.put(f.column, type);
        }
        RowExpression compiledFilter =
                filter == null ? null : compile(pipeline, "filter", filter, rowTypes);
        if (compiledFilter != null
                && compiledFilter.sqlType() != null
                && !compiledFilter.sqlType().equals("boolean")) {
            throw new PipelineSetupException(
                    "Pipeline "
                            + pipeline
                            + ": filter '"
                            + filter
                            + "' must be true or false, but gives "
                            + compiledFilter.sqlType());
        }
        return new FieldMapper(pipeline, fields, expressions, compiledFilter, types);
    }

    private static RowExpression compile(
            String pipeline, String what, String source, Map<String, String> rowTypes)
            throws PipelineSetupException {
        try {
            return RowExpression.compile(source, rowTypes.keySet());
        } catch (ExpressionException e) {
            throw new PipelineSetupException(
                    "Pipeline " + pipeline + ": " + what + ": " + e.getMessage(), e);
        }
    }

    /** Target column → PostgreSQL type, in order (before the merge strategy's own columns). */
    Map<String, String> targetTypes() {
        return targetTypes;
    }

    /**
     * Whether the row passes the filter. Deletes always pass (the target must lose the row whether
     * or not it matched).
     */
    boolean passes(MappedRow row, Op op) {
        if (filter == null || op == Op.DELETE) {
            return true;
        }
        try {
            return filter.test(row.asMap());
        } catch (ExpressionException e) {
            throw new FlinkRuntimeException("Pipeline " + pipeline + ": " + e.getMessage(), e);
        }
    }

    /** Target columns from {@code fields} (all columns as they are without fields). */
    MappedRow map(MappedRow row, Op op) {
        if (fields.isEmpty()) {
            return row;
        }
        Map<String, Object> values = expressions.isEmpty() ? null : row.asMap();
        MappedRow out = new MappedRow();
        for (FieldSpec f : fields) {
            Object v;
            boolean unchanged = false;
            RowExpression e = expressions.get(f.column);
            if (e != null) {
                v = evaluate(e, f, values, op);
            } else {
                int i = row.indexOf(f.sourceColumn);
                if (i < 0) {
                    throw new FlinkRuntimeException(
                            "Pipeline "
                                    + pipeline
                                    + ": field "
                                    + f.column
                                    + " reads source column "
                                    + f.sourceColumn
                                    + ", which the row does not have (it has "
                                    + row.columns
                                    + ")");
                }
                v = row.values.get(i);
                unchanged = row.unchanged.get(i);
            }
            try {
                v = Coercions.coerce(v, f.dtype);
            } catch (IllegalArgumentException ex) {
                throw new FlinkRuntimeException(
                        "Pipeline " + pipeline + ", column " + f.column + ": " + ex.getMessage(),
                        ex);
            }
            out.add(f.column, targetTypes.get(f.column), v, unchanged);
        }
        return out;
    }

    /**
     * A delete carries only the old row's key columns, so an expression over other columns may fail
     * on it: the value is then null, which the delete never writes.
     */
    private Object evaluate(RowExpression e, FieldSpec f, Map<String, Object> row, Op op) {
        try {
            return e.evaluate(row);
        } catch (ExpressionException ex) {
            if (op == Op.DELETE) {
                return null;
            }
            throw new FlinkRuntimeException(
                    "Pipeline " + pipeline + ", field " + f.column + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The change shaped like the target: filtered (an insert that fails the filter is dropped, an
     * update that fails it becomes a delete), then mapped. Null when dropped.
     */
    CdcChange apply(MappedRow row, Op op, long lsn, String schema, String table) {
        if (!passes(row, op)) {
            if (op != Op.UPDATE) {
                return null;
            }
            op = Op.DELETE;
        }
        return map(row, op).toChange(op, schema, table, lsn);
    }
}
