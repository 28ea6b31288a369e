package dev.sluice.job.cdc;

import dev.sluice.job.config.ConfigException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Transform SQL with its parameters pulled out: {@code :new.col}, {@code :old.col}, {@code
 * :transformed.col} and {@code :operation} become {@code ?} placeholders (cast to the column's type
 * when it is known) and are bound per change, so row values never become SQL text. String literals,
 * quoted identifiers, comments and {@code ::} casts are left alone.
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
        List<String> pieces = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < n) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < n && sql.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                cur.append(sql, i, Math.min(n, end + 1));
                i = end + 1;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                cur.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                cur.append(sql, i, end);
                i = end;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                cur.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && Character.isLetter(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n
                        && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                String row = sql.substring(i + 1, end);
                String column = null;
                if (end < n && sql.charAt(end) == '.') {
                    int start = end + 1;
                    if (start < n && sql.charAt(start) == '"') {
                        int close = sql.indexOf('"', start + 1);
                        if (close < 0) {
                            throw new ConfigException(
                                    file, "", "unterminated quoted column after :" + row + ".");
                        }
                        column = sql.substring(start + 1, close);
                        end = close + 1;
                    } else {
                        int e = start;
                        while (e < n
                                && (Character.isLetterOrDigit(sql.charAt(e))
                                        || sql.charAt(e) == '_')) {
                            e++;
                        }
                        column = sql.substring(start, e);
                        end = e;
                    }
                }
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
                pieces.add(cur.toString());
                cur.setLength(0);
                params.add(new Param(row, column));
                i = end;
            } else {
                cur.append(c);
                i++;
            }
        }
        pieces.add(cur.toString());
        return new BoundSql(sql, List.copyOf(pieces), List.copyOf(params));
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
