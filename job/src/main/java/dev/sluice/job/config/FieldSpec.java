package dev.sluice.job.config;

import java.io.Serializable;
import java.util.Map;

/**
 * One target column: its name, the source (transformed, enriched) column it comes from or the CEL
 * expression that computes it, and its type.
 */
public final class FieldSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    public final String column;
    public final String sourceColumn;

    /** Whether {@link #sourceColumn} is an expression rather than a column name. */
    public final boolean expression;

    /** The {@code dtype} to coerce to, or null to keep the source type. */
    public final DataType dtype;

    public FieldSpec(String column, String sourceColumn, DataType dtype) {
        this(column, sourceColumn, dtype, false);
    }

    public FieldSpec(String column, String sourceColumn, DataType dtype, boolean expression) {
        this.column = column;
        this.sourceColumn = sourceColumn;
        this.dtype = dtype;
        this.expression = expression;
    }

    /**
     * The SQL type of the column: the {@code dtype} if given, else the expression's result type
     * ({@code expressionType}, null when it depends on the row) or the source column's type from
     * {@code columnTypes}; null when none is known.
     */
    public String sqlType(String expressionType, Map<String, String> columnTypes) {
        if (dtype != null) {
            return dtype.sqlType;
        }
        return expression ? expressionType : columnTypes.get(sourceColumn);
    }

    /** The set-up error for a field whose type {@link #sqlType} cannot know. */
    public String untypedMessage(String pipeline) {
        return "Pipeline "
                + pipeline
                + ": field "
                + column
                + ": the type of '"
                + sourceColumn
                + "' depends on the row's values; give the field a dtype ("
                + DataType.allowed()
                + ")";
    }

    @Override
    public String toString() {
        return column
                + (expression ? " = " : " <- ")
                + sourceColumn
                + (dtype == null ? "" : " (" + dtype.key + ")");
    }
}
