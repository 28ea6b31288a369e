package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Column names and types of target tables, read once per table from {@code pg_attribute}. */
public final class TableCatalog {

    public static final String NETWORK_COLUMN = "_network";
    public static final String BLOCK_NUM_COLUMN = "_block_num";

    private final Map<TableRef, Map<String, String>> columns = new HashMap<>();

    /** Column name → {@code format_type} of an existing table; empty if the table is missing. */
    public static Map<String, String> readColumns(Connection connection, TableRef table)
            throws SQLException {
        Map<String, String> result = new LinkedHashMap<>();
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
                                + " FROM pg_attribute a WHERE a.attrelid = to_regclass(?)"
                                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return result;
    }

    /** The columns of {@code table}; fails clearly when it does not exist. */
    Map<String, String> columns(Connection connection, TableRef table, boolean refresh)
            throws SQLException {
        Map<String, String> cached = refresh ? null : columns.get(table);
        if (cached == null) {
            cached = readColumns(connection, table);
            if (cached.isEmpty()) {
                throw new SQLException(
                        "Target table "
                                + table
                                + " does not exist; create it first (PostgresTables.ensureTable)",
                        "42P01");
            }
            columns.put(table, cached);
        }
        return cached;
    }

    /** Whether the cached columns of {@code table} include all {@code names} (no query needed). */
    boolean knows(TableRef table, Iterable<String> names) {
        Map<String, String> known = columns.get(table);
        if (known == null) {
            return false;
        }
        for (String name : names) {
            if (!known.containsKey(name)) {
                return false;
            }
        }
        return true;
    }

    /** Drops the cached columns of {@code table} (after DDL on it). */
    void forget(TableRef table) {
        columns.remove(table);
    }

    boolean hasNetwork(Connection connection, TableRef table) throws SQLException {
        return columns(connection, table, false).containsKey(NETWORK_COLUMN);
    }

    /** Fails unless every name is a column of the table (re-reading the catalog once). */
    void requireColumns(Connection connection, TableRef table, Iterable<String> names)
            throws SQLException {
        Map<String, String> known = columns(connection, table, false);
        for (String name : names) {
            if (!known.containsKey(name)) {
                known = columns(connection, table, true);
                if (!known.containsKey(name)) {
                    throw new SQLException(
                            "Table "
                                    + table
                                    + " has no column "
                                    + TableRef.quote(name)
                                    + "; run PostgresTables.ensureTable with the new schema",
                            "42703");
                }
            }
        }
    }
}
