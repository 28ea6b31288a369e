package dev.sluice.job.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the {@code :name} and {@code :name.member} parameters of a SQL text so they can become JDBC
 * {@code ?} placeholders: row values are bound, never pasted into SQL. String literals, quoted
 * identifiers, comments and {@code ::} casts are left alone. What a name means is up to the caller
 * (transform SQL knows {@code :new.col}; lookups know {@code :col}).
 */
public final class SqlParameters {

    /** One parameter: {@code :name}, or {@code :name.member} ({@code member} may be quoted). */
    public static final class Param {
        public final String name;

        /** The part after the dot, unquoted, or null. */
        public final String member;

        Param(String name, String member) {
            this.name = name;
            this.member = member;
        }

        @Override
        public String toString() {
            return ":" + name + (member == null ? "" : "." + member);
        }
    }

    /** The SQL text around the parameters: {@code pieces.size() == params.size() + 1}. */
    public final List<String> pieces;

    public final List<Param> params;

    private SqlParameters(List<String> pieces, List<Param> params) {
        this.pieces = List.copyOf(pieces);
        this.params = List.copyOf(params);
    }

    /**
     * Splits {@code sql} at its parameters.
     *
     * @throws IllegalArgumentException for an unterminated quoted member ({@code :new."col})
     */
    public static SqlParameters parse(String sql) {
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
                int end = identifierEnd(sql, i + 1);
                String name = sql.substring(i + 1, end);
                String member = null;
                if (end < n && sql.charAt(end) == '.') {
                    int start = end + 1;
                    if (start < n && sql.charAt(start) == '"') {
                        int close = sql.indexOf('"', start + 1);
                        if (close < 0) {
                            throw new IllegalArgumentException(
                                    "unterminated quoted column after :" + name + ".");
                        }
                        member = sql.substring(start + 1, close);
                        end = close + 1;
                    } else {
                        int e = identifierEnd(sql, start);
                        member = sql.substring(start, e);
                        end = e;
                    }
                }
                pieces.add(cur.toString());
                cur.setLength(0);
                params.add(new Param(name, member));
                i = end;
            } else {
                cur.append(c);
                i++;
            }
        }
        pieces.add(cur.toString());
        return new SqlParameters(pieces, params);
    }

    /** The SQL with {@code ?} for each parameter, cast to {@code types.get(i)} when not null. */
    public String jdbcSql(List<String> types) {
        StringBuilder b = new StringBuilder(pieces.get(0));
        for (int i = 0; i < params.size(); i++) {
            String type = types.get(i);
            b.append(type == null ? "?" : "CAST(? AS " + type + ")").append(pieces.get(i + 1));
        }
        return b.toString();
    }

    private static int identifierEnd(String sql, int from) {
        int e = from;
        while (e < sql.length()
                && (Character.isLetterOrDigit(sql.charAt(e)) || sql.charAt(e) == '_')) {
            e++;
        }
        return e;
    }
}
