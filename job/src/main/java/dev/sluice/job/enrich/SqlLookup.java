package dev.sluice.job.enrich;

import dev.sluice.job.cdc.Coercions;
import dev.sluice.job.cdc.Values;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.EnrichmentSpec.Output;
import dev.sluice.job.sql.SqlParameters;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SQL lookups on a PostgreSQL datastore: the query's {@code :column} parameters are bound from the
 * row as JDBC parameters cast to the column's type (values never become SQL text; a null binds SQL
 * NULL), and the first result row is the answer (no row: outputs null). JDBC blocks, so queries run
 * on a small pool ({@code min(maxInFlight, 8)} threads), each thread with its own read-only
 * connection, reopened after a connection failure. A timed-out query is cancelled on the server.
 */
final class SqlLookup implements LookupBackend {

    /** More connections per lookup and subtask would mostly load the database. */
    static final int MAX_THREADS = 8;

    @Override
    public int maxInFlight(int configured) {
        // requests beyond the threads wait in Lookup's queue, where no timeout runs yet
        return Math.max(1, Math.min(configured, MAX_THREADS));
    }

    private final EnrichmentSpec spec;
    private final Datastore store;
    private final SqlParameters parsed;
    private final String jdbcSql;
    private final Set<String> columns;

    private ExecutorService pool;
    private final ThreadLocal<Session> session = new ThreadLocal<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    /** One thread's connection and statement. */
    private static final class Session {
        final Connection connection;
        final PreparedStatement statement;

        Session(Connection connection, PreparedStatement statement) {
            this.connection = connection;
            this.statement = statement;
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection fails; it is gone either way
            }
        }
    }

    /** The parameter values of one row. */
    private static final class SqlCall implements Request {
        final List<Object> values;

        SqlCall(List<Object> values) {
            this.values = values;
        }

        @Override
        public String cacheKey() {
            StringBuilder b = new StringBuilder();
            for (Object v : values) {
                b.append('\u0001');
                if (v == null) {
                    b.append('N');
                } else if (v instanceof byte[]) {
                    b.append("B").append(java.util.HexFormat.of().formatHex((byte[]) v));
                } else {
                    b.append(v.getClass().getSimpleName()).append(':').append(v);
                }
            }
            return b.toString();
        }
    }

    SqlLookup(EnrichmentSpec spec, Map<String, String> rowTypes) throws LookupSetupException {
        this.spec = spec;
        this.store = spec.datastore;
        if (store == null || store.type != Datastore.Type.POSTGRES) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": a SQL lookup needs a postgres datastore", null);
        }
        if (spec.sql == null || spec.sql.isBlank()) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": a SQL lookup needs its sql", null);
        }
        try {
            parsed = SqlParameters.parse(spec.sql);
        } catch (IllegalArgumentException e) {
            throw new LookupSetupException("Lookup " + spec.name + ": " + e.getMessage(), e);
        }
        List<String> types = new ArrayList<>();
        Set<String> read = new LinkedHashSet<>();
        for (SqlParameters.Param p : parsed.params) {
            if (p.member != null) {
                throw new LookupSetupException(
                        "Lookup "
                                + spec.name
                                + ": unknown parameter "
                                + p
                                + "; parameters are row columns, :column",
                        null);
            }
            if (rowTypes != null && !rowTypes.containsKey(p.name)) {
                throw new LookupSetupException(
                        "Lookup "
                                + spec.name
                                + ": parameter :"
                                + p.name
                                + " is not a column of the row (columns: "
                                + String.join(", ", rowTypes.keySet())
                                + ")",
                        null);
            }
            read.add(p.name);
            types.add(rowTypes == null ? null : rowTypes.get(p.name));
        }
        this.columns = read;
        this.jdbcSql = parsed.jdbcSql(types);
    }

    @Override
    public Map<String, String> describe() throws LookupSetupException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(jdbcSql)) {
            ResultSetMetaData md = ps.getMetaData();
            if (md == null || md.getColumnCount() == 0) {
                throw new LookupSetupException(
                        "Lookup " + spec.name + ": the sql returns no columns; use a SELECT", null);
            }
            Map<String, String> result = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                result.put(md.getColumnLabel(i), md.getColumnTypeName(i));
            }
            if (spec.output.isEmpty()) {
                return result;
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, Output> e : spec.output.entrySet()) {
                Output o = e.getValue();
                if (!result.containsKey(o.from)) {
                    throw new LookupSetupException(
                            "Lookup "
                                    + spec.name
                                    + ": output "
                                    + e.getKey()
                                    + " reads result column "
                                    + o.from
                                    + ", which the sql does not return (it returns "
                                    + String.join(", ", result.keySet())
                                    + ")",
                            null);
                }
                out.put(e.getKey(), o.dtype != null ? o.dtype.sqlType : result.get(o.from));
            }
            return out;
        } catch (SQLException e) {
            throw new LookupSetupException(
                    "Lookup "
                            + spec.name
                            + ": the sql does not prepare on datastore "
                            + store.name
                            + " ("
                            + store.jdbcUrl()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public Set<String> columnsRead() {
        return columns;
    }

    @Override
    public void open() {
        int threads = Math.max(1, Math.min(spec.maxInFlight, MAX_THREADS));
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        60,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r);
                            t.setName("sluice-lookup-" + spec.name + "-sql-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        // no core thread timeout: a thread's connection lives as long as the thread
        pool = p;
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        if (store.username != null) {
            props.setProperty("user", store.username);
        }
        props.setProperty("password", store.passwordValue());
        props.setProperty("ApplicationName", "sluice lookup " + spec.name);
        // read-only twice over: pgjdbc ignores setReadOnly in autocommit mode (its default
        // readOnlyMode=transaction), so each query runs in its own BEGIN READ ONLY transaction,
        // and the session default is read-only too
        props.setProperty("options", "-c default_transaction_read_only=on");
        Connection c = DriverManager.getConnection(store.jdbcUrl(), props);
        c.setAutoCommit(false);
        c.setReadOnly(true);
        return c;
    }

    @Override
    public Request request(Map<String, Object> row) {
        List<Object> values = new ArrayList<>(parsed.params.size());
        for (SqlParameters.Param p : parsed.params) {
            values.add(row.get(p.name));
        }
        return new SqlCall(values);
    }

    @Override
    public CompletableFuture<Map<String, Object>> fetch(Request request, Duration timeout) {
        SqlCall call = (SqlCall) request;
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        AtomicReference<PreparedStatement> running = new AtomicReference<>();
        f.whenComplete(
                (v, e) -> {
                    PreparedStatement ps = running.get();
                    if (e instanceof CancellationException && ps != null) {
                        try {
                            ps.cancel(); // the attempt timed out: stop the query on the server
                        } catch (SQLException ignored) {
                            // the query ended meanwhile
                        }
                    }
                });
        try {
            pool.execute(
                    () -> {
                        if (f.isDone()) {
                            return; // timed out while queued
                        }
                        try {
                            f.complete(query(call, running, f::isDone));
                        } catch (LookupException e) {
                            f.completeExceptionally(e);
                        } catch (RuntimeException e) {
                            f.completeExceptionally(
                                    LookupException.permanent("query failed: " + e, e));
                        }
                    });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(LookupException.permanent("lookup closed", e));
        }
        return f;
    }

    private Map<String, Object> query(
            SqlCall call,
            AtomicReference<PreparedStatement> running,
            java.util.function.BooleanSupplier cancelled)
            throws LookupException {
        Session s = session.get();
        try {
            if (s == null) {
                Connection c = connect();
                PreparedStatement ps = c.prepareStatement(jdbcSql);
                ps.setMaxRows(1); // the first row is the answer: the server sends no more
                s = new Session(c, ps);
                session.set(s);
                sessions.add(s);
            }
            PreparedStatement ps = s.statement;
            for (int i = 0; i < call.values.size(); i++) {
                Values.bind(ps, i + 1, jdbcValue(call.values.get(i)));
            }
            running.set(ps);
            if (cancelled.getAsBoolean()) {
                // timed out between the queue and here: the cancel hook saw no statement
                running.set(null);
                throw LookupException.retriable("cancelled before it ran", null);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return answer(rs);
            } finally {
                running.set(null);
                endTransaction(s);
            }
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            boolean connectionLost = state.startsWith("08") || !valid(s);
            if (s != null && connectionLost) {
                sessions.remove(s);
                session.remove();
                s.close();
            }
            String message = "query failed (SQLSTATE " + state + "): " + e.getMessage();
            return retriable(state, connectionLost)
                    ? throwRetriable(message, e)
                    : throwPermanent(message, e);
        }
    }

    /** Row values JDBC cannot bind as they are (Amp rows carry these) in a type it can. */
    private static Object jdbcValue(Object v) {
        if (v instanceof java.time.Instant) {
            return java.time.OffsetDateTime.ofInstant(
                    (java.time.Instant) v, java.time.ZoneOffset.UTC);
        }
        if (v instanceof java.math.BigInteger) {
            return new java.math.BigDecimal((java.math.BigInteger) v);
        }
        return v;
    }

    /** Ends the read-only transaction (nothing to keep), also after a failed query. */
    private static void endTransaction(Session s) {
        try {
            s.connection.rollback();
        } catch (SQLException e) {
            // the connection broke: the next query on it fails, and is retried on a new one
        }
    }

    private static Map<String, Object> throwRetriable(String message, SQLException e)
            throws LookupException {
        throw LookupException.retriable(message, e);
    }

    private static Map<String, Object> throwPermanent(String message, SQLException e)
            throws LookupException {
        throw LookupException.permanent(message, e);
    }

    /**
     * Connection loss, cancellation (our timeout), serialization failures, deadlocks, lock
     * timeouts, lack of resources and server shutdown may pass; the rest (syntax, data, privilege
     * errors) will fail again.
     */
    private static boolean retriable(String state, boolean connectionLost) {
        return connectionLost
                || state.startsWith("08")
                || state.startsWith("53")
                || state.startsWith("57P")
                || state.equals("57014")
                || state.equals("40001")
                || state.equals("40P01")
                || state.equals("55P03");
    }

    private static boolean valid(Session s) {
        try {
            return s != null && s.connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private Map<String, Object> answer(ResultSet rs) throws SQLException, LookupException {
        ResultSetMetaData md = rs.getMetaData();
        boolean found = rs.next();
        Map<String, Object> out = new LinkedHashMap<>();
        if (spec.output.isEmpty()) {
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.put(md.getColumnLabel(i), found ? Coercions.fromJdbc(rs, i) : null);
            }
            return out;
        }
        for (Map.Entry<String, Output> e : spec.output.entrySet()) {
            Object v = found ? Coercions.fromJdbc(rs, rs.findColumn(e.getValue().from)) : null;
            out.put(e.getKey(), OutputValues.convert(e.getKey(), v, e.getValue().dtype));
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (Session s : sessions) {
            s.close();
        }
        sessions.clear();
    }
}
