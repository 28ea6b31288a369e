package dev.sluice.job.amp;

import dev.sluice.sinks.postgres.PostgresSink;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpStreamSpec;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires one Amp pipeline into a job: source → keyBy(stream) → {@link ReorgOperator} → {@link
 * PostgresSink}. Operator uids are derived from the pipeline name, so a restored job finds its
 * state again even if other pipelines are added around it.
 */
public final class AmpPipeline {

    private AmpPipeline() {}

    /**
     * Adds the pipeline to {@code env}.
     *
     * @param name stable pipeline name (part of operator uids)
     * @param targets stream id → target table, for every stream of {@code source}
     * @param uniqueKeys stream id → key columns of the tables merged by key
     */
    public static void build(
            StreamExecutionEnvironment env,
            String name,
            AmpSource source,
            Map<String, TableRef> targets,
            Map<String, List<String>> uniqueKeys,
            int retentionBlocks,
            PostgresSink sink,
            int parallelism) {
        build(env, name, source, targets, uniqueKeys, retentionBlocks, sink, parallelism, r -> r);
    }

    /** With {@code between}: operators between the reorg operator and the sink (enrichment). */
    public static void build(
            StreamExecutionEnvironment env,
            String name,
            AmpSource source,
            Map<String, TableRef> targets,
            Map<String, List<String>> uniqueKeys,
            int retentionBlocks,
            PostgresSink sink,
            int parallelism,
            java.util.function.UnaryOperator<DataStream<PostgresSinkRecord>> between) {
        for (AmpStreamSpec s : source.streams()) {
            if (!targets.containsKey(s.id())) {
                throw new IllegalArgumentException("No target table for stream " + s.id());
            }
        }
        int sourceParallelism = Math.max(1, Math.min(parallelism, source.streams().size()));
        DataStream<AmpRecord> records =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), name + " amp source")
                        .uid(name + "-amp-source")
                        .setParallelism(sourceParallelism);
        DataStream<PostgresSinkRecord> rows =
                byStream(records, parallelism)
                        .process(
                                new ReorgOperator(targets, uniqueKeys, retentionBlocks),
                                PostgresSinkRecord.typeInfo())
                        .uid(name + "-reorg")
                        .name(name + " reorg")
                        .setParallelism(parallelism);
        between.apply(rows)
                .sinkTo(sink)
                .uid(name + "-postgres-sink")
                .name(name + " postgres sink")
                .setParallelism(parallelism);
    }

    /**
     * Keys {@code records} by stream for a reorg operator of {@code parallelism}. On the embedded
     * local runner, when the source and the operator both run a single subtask, every key group
     * lives on that subtask, so the records are already partitioned as {@code keyBy} would
     * partition them: the stream is reinterpreted as keyed instead of shuffled, which lets Flink
     * chain source, reorg operator and writer into one task — no serialization of every batch
     * through the network stack, and one thread fewer competing with PostgreSQL on small machines.
     * Keyed state is per key group either way, so a job restored at another parallelism gets the
     * shuffle back and its state.
     *
     * <p>Only there: on a cluster, an autoscaler or the reactive scheduler may change a vertex's
     * parallelism without rebuilding the job graph, and a reinterpreted stream would then deliver
     * keys to subtasks that do not own their key groups.
     */
    public static KeyedStream<AmpRecord, String> byStream(
            DataStream<AmpRecord> records, int parallelism) {
        if (records.getExecutionEnvironment() instanceof LocalStreamEnvironment
                && records.getParallelism() == 1
                && parallelism == 1) {
            return DataStreamUtils.reinterpretAsKeyedStream(
                    records, AmpRecord::stream, Types.STRING);
        }
        return records.keyBy(AmpRecord::stream, Types.STRING);
    }

    /**
     * Adds a pipeline whose streams {@code source} discovers while running; each appends to its
     * table in {@code targetSchema}, replacing it before its first row. The sink's input is keyed
     * by table: every record of a table — the rows of a removed stream and the replacement by its
     * successor — goes through one writer, in order, which is what lets the writer run the DDL
     * without waiting for another writer's transaction (see {@code ReplaceTableRecord}). The source
     * runs at full parallelism, so that the job's shape never depends on the number of streams.
     */
    public static void buildDiscovered(
            StreamExecutionEnvironment env,
            String name,
            AmpSource source,
            String targetSchema,
            int retentionBlocks,
            PostgresSink sink,
            int parallelism) {
        DataStream<AmpRecord> records =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), name + " amp source")
                        .uid(name + "-amp-source")
                        .setParallelism(parallelism);
        DataStream<PostgresSinkRecord> rows =
                records.keyBy(AmpRecord::stream, Types.STRING)
                        .process(
                                ReorgOperator.forDiscoveredStreams(targetSchema, retentionBlocks),
                                PostgresSinkRecord.typeInfo())
                        .uid(name + "-reorg")
                        .name(name + " reorg")
                        .setParallelism(parallelism);
        rows.keyBy(r -> r.table().quoted(), Types.STRING)
                .sinkTo(sink)
                .uid(name + "-postgres-sink")
                .name(name + " postgres sink")
                .setParallelism(parallelism);
    }
}
