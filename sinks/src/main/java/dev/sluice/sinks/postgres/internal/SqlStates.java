package dev.sluice.sinks.postgres.internal;

import java.io.IOException;
import java.sql.SQLException;

/** What to do about an error: retry after a back-off, or not. */
public final class SqlStates {

    /** Transaction prepared under this id does not exist (COMMIT/ROLLBACK PREPARED). */
    public static final String UNDEFINED_OBJECT = "42704";

    /** E.g. "prepared transaction … is busy", or prepared transactions disabled. */
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";

    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String DUPLICATE_TABLE = "42P07";

    /** E.g. the row type of a table another session created at the same moment. */
    public static final String DUPLICATE_OBJECT = "42710";

    private SqlStates() {}

    /**
     * Transient failures of amp-protocol.md §7 plus connection and shutdown classes: too many
     * connections (53300), out of resources (53400), serialization failure (40001), deadlock
     * (40P01), connection exceptions (08xxx), admin/crash shutdown and cannot-connect-now
     * (57P01..57P03), and I/O errors underneath.
     */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                String state = ((SQLException) c).getSQLState();
                if (state != null
                        && (state.equals("53300")
                                || state.equals("53400")
                                || state.equals("40001")
                                || state.equals("40P01")
                                || state.startsWith("08")
                                || state.equals("57P01")
                                || state.equals("57P02")
                                || state.equals("57P03"))) {
                    return true;
                }
            }
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code CREATE … IF NOT EXISTS} DDL, ignoring what a session creating the same object at
     * the same moment makes it fail with: IF NOT EXISTS does not cover that race (the catalog's
     * unique index, or the table's row type, reports the duplicate instead).
     */
    public static void createIgnoringRace(java.sql.Statement s, String sql) throws SQLException {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            String state = state(e);
            if (!state.equals(UNIQUE_VIOLATION)
                    && !state.equals(DUPLICATE_TABLE)
                    && !state.equals(DUPLICATE_OBJECT)) {
                throw e;
            }
        }
    }

    public static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }
}
