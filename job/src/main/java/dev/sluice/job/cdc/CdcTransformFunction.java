package dev.sluice.job.cdc;

import dev.sluice.job.config.FieldSpec;
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
import org.apache.flink.util.FlinkRuntimeException;

/**
 * The row-level part of a CDC pipeline, in order: source filters (an update whose new row fails
 * them becomes a delete, so the target keeps exactly the matching rows), {@code transform.sql},
 * then the operation's SQL, then field mapping with type coercion. Emits changes shaped like the
 * target table. Queries run read-only on their own connection; a replay after a failure runs them
 * again.
 */
final class CdcTransformFunction extends ProcessFunction<CdcChange, CdcChange> {

    private static final long serialVersionUID = 1L;

    private final PipelineSpec spec;
    private final RowFilter filter;
    private final Map<String, String> sourceTypes;
    private final Map<String, String> transformedTypes;

    private transient Connection connection;
    private transient WalMonitor walMonitor;
    private transient Map<String, PreparedStatement> statements;
    private transient Map<String, BoundSql> parsed;

    CdcTransformFunction(
            PipelineSpec spec,
            Map<String, String> sourceTypes,
            Map<String, String> transformedTypes) {
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
            connection = DriverManager.getConnection(t.datastore.jdbcUrl(), props);
            connection.setAutoCommit(true);
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
        MappedRow row = new MappedRow();
        for (int i = 0; i < change.columnCount(); i++) {
            boolean deleted = change.op() == Op.DELETE;
            row.add(
                    change.column(i),
                    change.type(i),
                    deleted ? change.before(i) : change.after(i),
                    !deleted && change.unchanged(i));
        }
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
        MappedRow mapped = map(row);
        Object[] values = mapped.values.toArray();
        out.collect(
                new CdcChange(
                        op,
                        spec.sinkSchema,
                        spec.sinkTable,
                        mapped.columns.toArray(new String[0]),
                        mapped.types.toArray(new String[0]),
                        op == Op.DELETE ? values : null,
                        op == Op.DELETE ? null : values,
                        op == Op.DELETE ? null : mapped.unchangedFlags(),
                        change.lsn()));
    }

    /** Target columns from {@code fields} (all columns as they are without fields). */
    private MappedRow map(MappedRow row) {
        if (spec.fields.isEmpty()) {
            return row;
        }
        MappedRow out = new MappedRow();
        for (FieldSpec f : spec.fields) {
            int i = row.indexOf(f.sourceColumn);
            if (i < 0) {
                throw new FlinkRuntimeException(
                        "Pipeline "
                                + spec.name
                                + ": field "
                                + f.column
                                + " reads source column "
                                + f.sourceColumn
                                + ", which the row does not have (it has "
                                + row.columns
                                + ")");
            }
            Object v;
            try {
                v = Coercions.coerce(row.values.get(i), f.dtype);
            } catch (IllegalArgumentException e) {
                throw new FlinkRuntimeException(
                        "Pipeline " + spec.name + ", column " + f.column + ": " + e.getMessage(),
                        e);
            }
            out.add(
                    f.column,
                    f.dtype != null ? f.dtype.sqlType : row.types.get(i),
                    v,
                    row.unchanged.get(i));
        }
        return out;
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
