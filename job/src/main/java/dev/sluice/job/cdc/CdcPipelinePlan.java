package dev.sluice.job.cdc;

import dev.sluice.job.config.MergeSpec.Strategy;
import dev.sluice.job.config.PipelineSpec;
import dev.sluice.job.config.TransformSpec;
import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.job.enrich.Enrichment;
import dev.sluice.job.enrich.LookupSetupException;
import dev.sluice.job.enrich.RowEnricher;
import dev.sluice.sinks.postgres.ColumnDef;
import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sinks.postgres.PostgresSink;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.PostgresCdcSource;
import dev.sluice.sources.postgres.Publications;
import dev.sluice.sources.postgres.PublishedTable;
import dev.sluice.sources.postgres.ReplicationSlots;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CDC pipeline, planned: {@link #prepare} talks to both databases once before the job starts
 * (reads the source table's columns, creates or updates the pipeline's publication, checks its
 * slot, creates or evolves the target table); {@link #addTo} wires source → transform → keyBy
 * (unique_key) → merge → exactly-once sink, with operator uids derived from the pipeline name.
 */
public final class CdcPipelinePlan {

    private static final Logger LOG = LoggerFactory.getLogger(CdcPipelinePlan.class);

    private final PipelineSpec spec;
    private final CommitMode commitMode;
    private final int maxConnections;
    private final TableRef target;

    private Map<String, String> sourceTypes;
    private Map<String, String> transformedTypes;
    private List<ColumnDef> targetColumns;
    private FieldMapper mapper;
    private RowEnricher enricher;

    public CdcPipelinePlan(PipelineSpec spec, CommitMode commitMode, int maxConnections) {
        this.spec = spec;
        this.commitMode = commitMode;
        this.maxConnections = maxConnections;
        this.target = new TableRef(spec.sinkSchema, spec.sinkTable);
    }

    public PipelineSpec spec() {
        return spec;
    }

    public TableRef target() {
        return target;
    }

    static Connection connect(dev.sluice.job.config.Datastore d) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", d.username);
        props.setProperty("password", d.passwordValue());
        props.setProperty("ApplicationName", "sluice setup");
        return DriverManager.getConnection(d.jdbcUrl(), props);
    }

    /** Prepares source and target; fails with a message that says what to change. */
    public void prepare() throws PipelineSetupException {
        String where = "source database " + spec.source.name + " (" + spec.source.jdbcUrl() + ")";
        try (Connection c = connect(spec.source)) {
            TableRef source = new TableRef(spec.sourceSchema, spec.sourceTable);
            sourceTypes = readTypes(c, source);
            if (sourceTypes.isEmpty()) {
                throw new PipelineSetupException(
                        "Pipeline "
                                + spec.name
                                + ": source table "
                                + source
                                + " does not exist in "
                                + where);
            }
            RowFilter filter = new RowFilter(spec.filters);
            for (String column : filter.columns()) {
                if (!sourceTypes.containsKey(column)) {
                    throw new PipelineSetupException(
                            "Pipeline "
                                    + spec.name
                                    + ": filter column "
                                    + column
                                    + " is not a column of "
                                    + source
                                    + " (it has "
                                    + sourceTypes.keySet()
                                    + ")");
                }
            }
            Publications.ensure(
                    c,
                    spec.publication,
                    spec.name,
                    List.of(
                            new PublishedTable(
                                    spec.sourceSchema,
                                    spec.sourceTable,
                                    filter.isEmpty() ? null : filter.toSql(),
                                    filter.columns())));
            ReplicationSlots.checkUsable(c, spec.slotName);
            warnOnReplicaIdentity(c, source);
        } catch (SQLException e) {
            throw new PipelineSetupException(
                    "Pipeline "
                            + spec.name
                            + ": cannot prepare the "
                            + where
                            + ": "
                            + e.getMessage(),
                    e);
        }
        Map<String, String> rowTypes = sourceTypes;
        transformedTypes = new LinkedHashMap<>();
        TransformSpec t = spec.transform;
        if (t != null && !t.isEmpty()) {
            try (Connection c = connect(t.datastore)) {
                if (t.transformSql != null) {
                    transformedTypes = describe(c, "transform.sql", t.transformSql, Map.of());
                }
                String opSql = t.insertSql != null ? t.insertSql : t.updateSql;
                if (opSql != null) {
                    rowTypes =
                            describe(
                                    c,
                                    t.insertSql != null ? "insert.sql" : "update.sql",
                                    opSql,
                                    transformedTypes);
                } else if (t.transformSql != null) {
                    rowTypes = transformedTypes;
                }
            } catch (SQLException e) {
                throw new PipelineSetupException(
                        "Pipeline "
                                + spec.name
                                + ": the transform SQL does not run: "
                                + e.getMessage(),
                        e);
            }
        }
        if (!spec.enrichment.isEmpty()) {
            try {
                enricher = RowEnricher.prepare(spec.name, spec.enrichment, rowTypes);
            } catch (LookupSetupException e) {
                throw new PipelineSetupException(e.getMessage(), e);
            }
            rowTypes = enricher.enrichedTypes();
        }
        mapper = FieldMapper.of(spec.name, spec.fields, spec.filter, rowTypes);
        targetColumns = targetColumns(mapper.targetTypes());
        try (Connection c = connect(spec.sink)) {
            if (spec.hasDeadLetters()) {
                PostgresTables.ensureTable(
                        c, deadLetterTable(), DeadLetters.columns(false), List.of(), false);
            }
            PostgresTables.ensureTable(
                    c,
                    target,
                    targetColumns,
                    spec.uniqueKey,
                    spec.merge.strategy == Strategy.UPSERT);
        } catch (SQLException | IllegalArgumentException e) {
            throw new PipelineSetupException(
                    "Pipeline "
                            + spec.name
                            + ": cannot prepare target table "
                            + target
                            + " in "
                            + spec.sink.name
                            + " ("
                            + spec.sink.jdbcUrl()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private List<ColumnDef> targetColumns(Map<String, String> targetTypes)
            throws PipelineSetupException {
        List<ColumnDef> out = new ArrayList<>();
        targetTypes.forEach((name, type) -> out.add(new ColumnDef(name, safe(type), true)));
        List<String> names = new ArrayList<>();
        out.forEach(c -> names.add(c.name()));
        for (String key : spec.uniqueKey) {
            if (!names.contains(key)) {
                throw new PipelineSetupException(
                        "Pipeline "
                                + spec.name
                                + ": unique_key column "
                                + key
                                + " is not a target column ("
                                + names
                                + ")");
            }
        }
        if (spec.merge.strategy == Strategy.COLLAPSE) {
            out.add(new ColumnDef(spec.merge.signColumn, "smallint", false));
        } else if (spec.merge.strategy == Strategy.APPEND) {
            out.add(new ColumnDef(CdcMergeFunction.OP_COLUMN, "text", false));
            out.add(new ColumnDef(CdcMergeFunction.LSN_COLUMN, "bigint", true));
        }
        return out;
    }

    private TableRef deadLetterTable() {
        return new TableRef(spec.sinkSchema, spec.deadLetterTable);
    }

    private static String safe(String type) {
        return type != null && ColumnDef.isSafeType(type) ? type : "text";
    }

    private Map<String, String> describe(
            Connection c, String name, String sql, Map<String, String> transformed)
            throws SQLException {
        BoundSql bound = BoundSql.parse(sql, name);
        List<String> types = new ArrayList<>();
        for (BoundSql.Param p : bound.params) {
            if (!p.row.equals("operation")
                    && !(p.row.equals("transformed") ? transformed : sourceTypes)
                            .containsKey(p.column)) {
                throw new SQLException(
                        name
                                + " reads :"
                                + p.row
                                + "."
                                + p.column
                                + ", which is not a column of the "
                                + (p.row.equals("transformed")
                                        ? "transform.sql result"
                                        : "source table"));
            }
            types.add(
                    p.row.equals("operation")
                            ? "text"
                            : (p.row.equals("transformed") ? transformed : sourceTypes)
                                    .get(p.column));
        }
        try (PreparedStatement ps = c.prepareStatement(bound.jdbcSql(types))) {
            ResultSetMetaData md = ps.getMetaData();
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.put(md.getColumnLabel(i), md.getColumnTypeName(i));
            }
            return out;
        } catch (SQLException e) {
            throw new SQLException(name + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static Map<String, String> readTypes(Connection c, TableRef table) throws SQLException {
        return dev.sluice.sinks.postgres.internal.TableCatalog.readColumns(c, table);
    }

    private void warnOnReplicaIdentity(Connection c, TableRef source) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, source.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && "n".equals(rs.getString(1))) {
                    LOG.warn(
                            "Pipeline {}: {} has REPLICA IDENTITY NOTHING: updates and deletes"
                                    + " carry no key; set REPLICA IDENTITY DEFAULT (with a primary"
                                    + " key) or FULL",
                            spec.name,
                            source);
                }
            }
        }
    }

    /** Adds the pipeline to the job graph; {@link #prepare} must have run. */
    public void addTo(StreamExecutionEnvironment env, int parallelism) {
        if (targetColumns == null) {
            throw new IllegalStateException("prepare() first");
        }
        String name = spec.name;
        DataStream<CdcChange> changes =
                env.fromSource(
                                PostgresCdcSource.builder()
                                        .setHostname(spec.source.host)
                                        .setPort(spec.source.port)
                                        .setDatabase(spec.source.database)
                                        .setUsername(spec.source.username)
                                        .setPassword(spec.source.passwordValue())
                                        .addTable(spec.sourceSchema, spec.sourceTable)
                                        .setSlotName(spec.slotName)
                                        .setPublicationName(spec.publication)
                                        .setSnapshot(spec.snapshot)
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                name + " postgres cdc source")
                        .uid(name + "-cdc-source")
                        .setParallelism(parallelism);
        DataStream<CdcChange> rows =
                changes.process(
                                new CdcTransformFunction(
                                        spec,
                                        sourceTypes,
                                        transformedTypes,
                                        enricher == null ? mapper : null),
                                CdcChange.typeInfo())
                        .uid(name + "-cdc-transform")
                        .name(name + " transform")
                        .setParallelism(parallelism);
        if (enricher != null) {
            Duration timeout = Enrichment.operatorTimeout(spec.enrichment);
            rows =
                    AsyncDataStream.orderedWait(
                                    rows,
                                    new CdcEnrichFunction(enricher, timeout),
                                    timeout.toMillis(),
                                    TimeUnit.MILLISECONDS,
                                    Enrichment.capacity(spec.enrichment))
                            .uid(name + "-cdc-enrich")
                            .name(name + " enrich " + Enrichment.names(spec.enrichment))
                            .setParallelism(parallelism)
                            .process(new CdcMapFunction(mapper), CdcChange.typeInfo())
                            .uid(name + "-cdc-fields")
                            .name(name + " fields")
                            .setParallelism(parallelism);
        }
        List<String> known = new ArrayList<>();
        targetColumns.forEach(c -> known.add(c.name()));
        DataStream<PostgresSinkRecord> records =
                rows.keyBy(
                                new UniqueKeySelector(spec.uniqueKey),
                                org.apache.flink.api.common.typeinfo.Types.STRING)
                        .process(
                                new CdcMergeFunction(
                                        target,
                                        spec.merge,
                                        spec.uniqueKey,
                                        new java.util.HashSet<>(known),
                                        spec.hasDeadLetters() ? deadLetterTable() : null),
                                PostgresSinkRecord.typeInfo())
                        .uid(name + "-cdc-merge")
                        .name(name + " merge " + spec.merge.strategy.key())
                        .setParallelism(parallelism);
        String url = spec.sink.jdbcUrl();
        url += (url.contains("?") ? "&" : "?") + "stringtype=unspecified";
        PostgresSink sink =
                PostgresSink.builder()
                        .setJdbcUrl(url)
                        .setUser(spec.sink.username)
                        .setPassword(spec.sink.passwordValue())
                        .setCommitMode(commitMode)
                        .setMaxDbConnections(maxConnections)
                        .setTransactionalIdPrefix("sluice-cdc-" + name)
                        .build();
        records.sinkTo(sink)
                .uid(name + "-postgres-sink")
                .name(name + " postgres sink")
                .setParallelism(parallelism);
    }
}
