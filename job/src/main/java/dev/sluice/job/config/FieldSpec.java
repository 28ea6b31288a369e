package dev.sluice.job.config;

import java.io.Serializable;

/** One target column: its name, the source (or transformed) column it comes from, its type. */
public final class FieldSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    public final String column;
    public final String sourceColumn;

    /** The {@code dtype} to coerce to, or null to keep the source type. */
    public final DataType dtype;

    public FieldSpec(String column, String sourceColumn, DataType dtype) {
        this.column = column;
        this.sourceColumn = sourceColumn;
        this.dtype = dtype;
    }

    @Override
    public String toString() {
        return column + " <- " + sourceColumn + (dtype == null ? "" : " (" + dtype.key + ")");
    }
}
