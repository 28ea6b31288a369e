package dev.sluice.bench;

import dev.sluice.sinks.postgres.internal.Connections;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * CPU time of a PostgreSQL backend process, read from {@code /proc/<pid>/schedstat} (the
 * benchmark's server runs on this machine, as a child of the harness). Printed beside each rate:
 * the same rows cost a backend 15–26 s of CPU in different runs on the shared boxes, and rows per
 * second of backend CPU tell that apart from what the writer in front of it does.
 */
final class BackendCpu {

    /** The application name the sink's writer of subtask 0 connects with. */
    static final String SLUICE_WRITER = Connections.applicationName(Connections.writerPurpose(0));

    private BackendCpu() {}

    static int pid(Connection c) throws SQLException {
        return (int) BenchDatabase.queryLong(c, "SELECT pg_backend_pid()");
    }

    /**
     * CPU seconds used so far by the backend of the connection named {@code applicationName} in
     * {@code c}'s database, or NaN when there is none.
     */
    static double secondsOf(Connection c, String applicationName) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? seconds(rs.getInt(1)) : Double.NaN;
            }
        }
    }

    /** CPU seconds process {@code pid} has used, or NaN where the kernel does not say. */
    static double seconds(int pid) {
        try {
            return schedstatNanos(Path.of("/proc", Integer.toString(pid), "schedstat")) / 1e9;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * Nanoseconds on a CPU, the first field of a process's or thread's {@code schedstat} (also read
     * by {@link CompilerCpu}).
     */
    static long schedstatNanos(Path schedstat) throws IOException {
        String stat = Files.readString(schedstat);
        return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
    }
}
