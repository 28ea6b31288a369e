package dev.sluice.job.cdc;

import dev.sluice.job.config.ConfigException;
import dev.sluice.job.sql.SqlParameters;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Transform SQL with its parameters pulled out: {@code :new.col}, {@code :old.col}, {@code
 * :transformed.col} and {@code :operation} become {@code ?} placeholders (cast to the column's type
 * when it is known) and are bound per change, so row values never become SQL text. String literals,
 * quoted identifiers, comments and {@code ::} casts are left alone ({@link SqlParameters} finds
 * them).
 */
final class BoundSql implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * One parameter: which row ({@code new}, {@code old}, {@code transformed}, {@code operation})
     * and column.
     */
    static final class Param implements Serializable {
        private static final long serialVersionUID = 1L;
        final String row;
        final String column;

        Param(String row, String column) {
            this.row = row;
            this.column = column;
        }
    }

    final String original;
    final List<String> pieces;
    final List<Param> params;

    private BoundSql(String original, List<String> pieces, List<Param> params) {
        this.original = original;
        this.pieces = pieces;
        this.params = params;
    }

    static BoundSql parse(String sql, String file) {
        SqlParameters scanned;
        try {
            scanned = SqlParameters.parse(sql);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, "", e.getMessage());
        }
        List<Param> params = new ArrayList<>();
        for (SqlParameters.Param p : scanned.params) {
            String row = p.name;
            String column = p.member;
            boolean valid =
                    (row.equals("operation") && column == null)
                            || ((row.equals("new")
                                            || row.equals("old")
                                            || row.equals("transformed"))
                                    && column != null
                                    && !column.isEmpty());
            if (!valid) {
                throw new ConfigException(
                        file,
                        "",
                        "unknown parameter ':"
                                + row
                                + (column == null ? "" : "." + column)
                                + "'; use :new.<column>, :old.<column>, :transformed.<column>"
                                + " or :operation");
            }
            params.add(new Param(row, column));
        }
        return new BoundSql(sql, scanned.pieces, List.copyOf(params));
    }

    /** The SQL with {@code ?} for each parameter, cast to {@code types[i]} when known. */
    String jdbcSql(List<String> types) {
        StringBuilder b = new StringBuilder(pieces.get(0));
        for (int i = 0; i < params.size(); i++) {
            String type = types.get(i);
            b.append(type == null ? "?" : "CAST(? AS " + type + ")").append(pieces.get(i + 1));
        }
        return b.toString();
    }
}
