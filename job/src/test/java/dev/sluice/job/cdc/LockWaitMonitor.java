package dev.sluice.job.cdc;

import dev.sluice.testutils.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Watches a database for sessions that wait on a lock for more than a second and records, while it
 * happens, who holds that lock (a session or a prepared transaction, with its gid) plus the stacks
 * of the JVM's sink threads: the evidence for a lock_timeout in an exactly-once test.
 */
final class LockWaitMonitor implements AutoCloseable {

    private static final String WAITS =
            "SELECT w.pid, a.application_name, w.locktype, w.mode, w.relation::regclass AS rel,"
                    + " w.transactionid AS xid, now() - a.query_start AS waited,"
                    + " pg_blocking_pids(w.pid) AS blockers, (SELECT p.gid FROM pg_prepared_xacts p"
                    + " WHERE p.transaction = w.transactionid) AS held_by_prepared,"
                    + " left(a.query, 120) AS query"
                    + " FROM pg_locks w JOIN pg_stat_activity a ON a.pid = w.pid"
                    + " WHERE NOT w.granted AND now() - a.state_change > interval '1 second'";

    private static final String HOLDERS =
            "SELECT coalesce(p.gid, 'pid ' || l.pid || ' ' || coalesce(a.application_name,''))"
                    + " AS holder, l.locktype, l.mode, l.relation::regclass AS rel,"
                    + " l.transactionid AS xid, l.virtualtransaction AS vxid"
                    + " FROM pg_locks l LEFT JOIN pg_prepared_xacts p"
                    + " ON l.transactionid = p.transaction"
                    + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.granted AND l.locktype IN ('relation', 'transactionid', 'tuple')"
                    + " AND (l.pid IS NULL OR l.pid <> pg_backend_pid())"
                    + " AND (l.relation IS NULL OR l.relation >= 16384)";

    private final PostgresServer server;
    private final String database;
    private final Thread thread;
    private final List<String> reports = new ArrayList<>();
    private volatile boolean running = true;

    LockWaitMonitor(PostgresServer server, String database) {
        this.server = server;
        this.database = database;
        this.thread = new Thread(this::run, "lock-wait-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try (Connection c = server.connect(database)) {
                while (running) {
                    List<String> waits = query(c, WAITS);
                    if (!waits.isEmpty()) {
                        StringBuilder b = new StringBuilder("LOCK WAIT in " + database + "\n");
                        waits.forEach(w -> b.append("  waiting: ").append(w).append('\n'));
                        query(c, HOLDERS).forEach(h -> b.append("  held: ").append(h).append('\n'));
                        b.append(sinkThreads());
                        synchronized (reports) {
                            reports.add(b.toString());
                        }
                        System.out.println(b);
                        Thread.sleep(2000);
                    }
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String sinkThreads() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            String name = e.getKey().getName();
            if (!name.contains("sink") && !name.contains("merge")) {
                continue;
            }
            b.append("  thread ").append(name).append(" ").append(e.getKey().getState());
            b.append('\n');
            StackTraceElement[] st = e.getValue();
            for (int i = 0; i < Math.min(st.length, 40); i++) {
                b.append("      at ").append(st[i]).append('\n');
            }
        }
        return b.toString();
    }

    private static List<String> query(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    b.append(md.getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    List<String> reports() {
        synchronized (reports) {
            return new ArrayList<>(reports);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
