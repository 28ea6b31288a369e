package dev.sluice.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A target column given by its PostgreSQL type name (as {@code format_type} prints it), for tables
 * that are not shaped by an Arrow schema (the CDC path). Type names go into DDL text, so only plain
 * names are accepted: words, an optional {@code (p[,s])} modifier, optional array brackets.
 */
public final class ColumnDef implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Pattern SAFE_TYPE =
            Pattern.compile(
                    "[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?( [A-Za-z_][A-Za-z0-9_]*)*"
                            + "(\\(\\d{1,4}(, ?\\d{1,4})?\\))?( [A-Za-z_][A-Za-z0-9_]*)*(\\[\\])*");

    private final String name;
    private final String sqlType;
    private final boolean nullable;

    public ColumnDef(String name, String sqlType, boolean nullable) {
        this.name = checkNotNull(name, "name");
        this.sqlType = checkNotNull(sqlType, "sqlType");
        this.nullable = nullable;
        checkArgument(!name.isEmpty() && name.indexOf('\0') < 0, "invalid column name");
        checkArgument(
                isSafeType(sqlType), "column %s: '%s' is not a plain type name", name, sqlType);
    }

    /** Whether {@code sqlType} is a plain type name that may be put into DDL text. */
    public static boolean isSafeType(String sqlType) {
        return sqlType != null && sqlType.length() <= 100 && SAFE_TYPE.matcher(sqlType).matches();
    }

    public String name() {
        return name;
    }

    public String sqlType() {
        return sqlType;
    }

    public boolean nullable() {
        return nullable;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ColumnDef)) {
            return false;
        }
        ColumnDef that = (ColumnDef) o;
        return nullable == that.nullable && name.equals(that.name) && sqlType.equals(that.sqlType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, sqlType, nullable);
    }

    @Override
    public String toString() {
        return TableRef.quote(name) + ' ' + sqlType + (nullable ? "" : " NOT NULL");
    }
}
