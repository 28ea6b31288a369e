package dev.sluice.bench;

import dev.sluice.job.amp.AmpPipeline;
import dev.sluice.job.amp.ReorgOperator;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The comparison job, run in its own JVM like {@code sync-job.jar}: the same source and reorg
 * operator as Sluice's pipeline, but rows go to flink-connector-jdbc's {@code JdbcSink} (batched
 * INSERT, at least once) — what a Flink user would pick instead.
 *
 * <p>Arguments: {@code <flight address> <table> <jdbc url> <column,column,…> <state dir>}.
 */
public final class JdbcSinkJob {

    /** JdbcSink's batch: large, to give it its best case. */
    static final int BATCH_SIZE = 5000;

    private JdbcSinkJob() {}

    public static void main(String[] args) throws Exception {
        String flight = args[0];
        String table = args[1];
        String url = args[2];
        List<String> columns = List.of(args[3].split(","));
        Path state = Path.of(args[4]);
        Files.createDirectories(state);

        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        // JdbcSink's best case: rows are handed on without a Kryo copy of each Object[].
        env.getConfig().enableObjectReuse();

        AmpSource source =
                AmpSource.builder()
                        .setEndpoint(flight)
                        .addTable(DatasetReference.parse("anvil"), table)
                        .build();
        String stream = source.streams().get(0).id();
        TableRef target = new TableRef("public", table);

        StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.quoted()).append(" (");
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TableRef.quote(columns.get(i)));
            params.append(i == 0 ? "?" : ", ?");
        }
        sql.append(") VALUES (").append(params).append(')');

        AmpPipeline.byStream(
                        env.fromSource(source, WatermarkStrategy.noWatermarks(), "amp source"), 1)
                .process(
                        new ReorgOperator(Map.of(stream, target), 128),
                        PostgresSinkRecord.typeInfo())
                .flatMap(new ArrowRows(), TypeInformation.of(Object[].class))
                .sinkTo(
                        JdbcSink.<Object[]>builder()
                                .withQueryStatement(sql.toString(), JdbcSinkJob::bind)
                                .withExecutionOptions(
                                        JdbcExecutionOptions.builder()
                                                .withBatchSize(BATCH_SIZE)
                                                .withBatchIntervalMs(200)
                                                .withMaxRetries(0)
                                                .build())
                                .buildAtLeastOnce(
                                        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                                                .withUrl(url)
                                                .withDriverName("org.postgresql.Driver")
                                                .build()));
        env.execute("jdbc sink comparison");
    }

    private static void bind(PreparedStatement ps, Object[] row) throws java.sql.SQLException {
        for (int i = 0; i < row.length; i++) {
            ps.setObject(i + 1, row[i]);
        }
    }
}
