package dev.sluice.job.cdc;

import dev.sluice.job.config.PipelineSpec;
import dev.sluice.job.config.TransformSpec;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The row-level part of a CDC pipeline, in order: source filters (an update whose new row fails
 * them becomes a delete, so the target keeps exactly the matching rows), {@code transform.sql},
 * then the operation's SQL, then (without enrichment; with it, after the lookups) the {@link
 * FieldMapper}. Emits changes shaped like the target table, or like the transformed row when
 * lookups come next. Queries run read-only on their own connection; a replay after a failure runs
 * them again.
 */
final class CdcTransformFunction extends ProcessFunction<CdcChange, CdcChange> {

    private static final long serialVersionUID = 1L;

    private final PipelineSpec spec;
    private final RowFilter filter;
    private final Map<String, String> sourceTypes;
    private final Map<String, String> transformedTypes;
    private final FieldMapper mapper;

    private transient Connection connection;
    private transient WalMonitor walMonitor;
    private transient Map<String, PreparedStatement> statements;
    private transient Map<String, BoundSql> parsed;

    CdcTransformFunction(
            PipelineSpec spec,
            Map<String, String> sourceTypes,
            Map<String, String> transformedTypes,
            FieldMapper mapper) {
        this.mapper = mapper;
        this.spec = spec;
        this.filter = new RowFilter(spec.filters);
        this.sourceTypes = new HashMap<>(sourceTypes);
        this.transformedTypes = new HashMap<>(transformedTypes);
    }

    @Override
    public void open(OpenContext context) throws Exception {
        statements = new HashMap<>();
        parsed = new HashMap<>();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            walMonitor = new WalMonitor(spec, java.time.Duration.ofSeconds(60));
            getRuntimeContext()
                    .getMetricGroup()
                    .gauge(
                            "slotRetainedWalBytes",
                            (org.apache.flink.metrics.Gauge<Long>) walMonitor::retainedBytes);
        }
        TransformSpec t = spec.transform;
        if (t != null && !t.isEmpty()) {
            Properties props = new Properties();
            props.setProperty("user", t.datastore.username);
            props.setProperty("password", t.datastore.passwordValue());
            props.setProperty("ApplicationName", "sluice transform " + spec.name);
            // pgjdbc ignores setReadOnly under autocommit (readOnlyMode=transaction): each query
            // runs in its own BEGIN READ ONLY transaction instead, on a read-only session
            props.setProperty("options", "-c default_transaction_read_only=on");
            connection = DriverManager.getConnection(t.datastore.jdbcUrl(), props);
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
        }
    }

    @Override
    public void close() throws Exception {
        if (walMonitor != null) {
            walMonitor.close();
        }
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public void processElement(CdcChange change, Context ctx, Collector<CdcChange> out)
            throws Exception {
        Op op = change.op();
        if (!filter.isEmpty() && op != Op.DELETE) {
            boolean pass = filter.test(change::indexOf, change::after);
            if (!pass) {
                if (op != Op.UPDATE) {
                    return;
                }
                op = Op.DELETE;
            }
        }
        MappedRow row = MappedRow.of(change);
        TransformSpec t = spec.transform;
        if (t != null && !t.isEmpty()) {
            if (t.transformSql != null) {
                row = query("transform.sql", t.transformSql, change, op, row, null);
                if (row == null) {
                    return;
                }
            }
            String opSql =
                    op == Op.DELETE ? t.deleteSql : op == Op.UPDATE ? t.updateSql : t.insertSql;
            if (opSql != null) {
                String name =
                        op == Op.DELETE
                                ? "delete.sql"
                                : op == Op.UPDATE ? "update.sql" : "insert.sql";
                row = query(name, opSql, change, op, row, row);
                if (row == null) {
                    return;
                }
            }
        }
        if (mapper != null) {
            CdcChange mapped = mapper.apply(row, op, change.lsn(), spec.sinkSchema, spec.sinkTable);
            if (mapped != null) {
                out.collect(mapped);
            }
            return;
        }
        out.collect(row.toChange(op, spec.sinkSchema, spec.sinkTable, change.lsn()));
    }

    /** Runs one transform query; its first row is the new row, no row drops the change. */
    private MappedRow query(
            String name,
            String sql,
            CdcChange change,
            Op op,
            MappedRow current,
            MappedRow transformed)
            throws SQLException {
        BoundSql bound = parsed.computeIfAbsent(name, k -> BoundSql.parse(sql, k));
        PreparedStatement ps = statements.get(name);
        if (ps == null) {
            List<String> types = new ArrayList<>();
            for (BoundSql.Param p : bound.params) {
                types.add(
                        p.row.equals("operation")
                                ? "text"
                                : p.row.equals("transformed")
                                        ? transformedTypes.get(p.column)
                                        : sourceTypes.get(p.column));
            }
            ps = connection.prepareStatement(bound.jdbcSql(types));
            statements.put(name, ps);
        }
        for (int i = 0; i < bound.params.size(); i++) {
            BoundSql.Param p = bound.params.get(i);
            Object v;
            switch (p.row) {
                case "operation":
                    v = op == Op.DELETE ? "delete" : op == Op.UPDATE ? "update" : "insert";
                    break;
                case "new":
                    v = op == Op.DELETE ? null : valueOf(change, p.column, true);
                    break;
                case "old":
                    v = valueOf(change, p.column, false);
                    break;
                default:
                    v = transformed == null ? null : transformed.get(p.column);
                    break;
            }
            Values.bind(ps, i + 1, v);
        }
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            ResultSetMetaData md = rs.getMetaData();
            MappedRow out = new MappedRow();
            for (int c = 1; c <= md.getColumnCount(); c++) {
                String column = md.getColumnLabel(c);
                int inCurrent = current.indexOf(column);
                out.add(
                        column,
                        md.getColumnTypeName(c),
                        Coercions.fromJdbc(rs, c),
                        inCurrent >= 0 && current.unchanged.get(inCurrent));
            }
            return out;
        } catch (SQLException e) {
            throw new SQLException(
                    "Pipeline " + spec.name + ": " + name + " failed: " + e.getMessage(),
                    e.getSQLState(),
                    e);
        } finally {
            connection.rollback(); // ends the read-only transaction: no snapshot is held
        }
    }

    private static Object valueOf(CdcChange change, String column, boolean after) {
        int i = change.indexOf(column);
        if (i < 0) {
            return null;
        }
        return after ? change.after(i) : change.before(i);
    }
}
