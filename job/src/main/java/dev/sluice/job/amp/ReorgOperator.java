package dev.sluice.job.amp;

import dev.sluice.job.local.ProgressBoard;
import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.ReplaceTableRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.protocol.BlockRange;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by stream: turns the Amp source's records into sink records and guards reorgs. It keeps the
 * completed ranges within {@code retentionBlocks} of the head; a rollback becomes a {@code DELETE …
 * WHERE _block_num >= F} in the sink's transaction, in order with the rows. A reorg deeper than the
 * window still deletes the abandoned fork's rows, then stops the stream with an error naming depth
 * and window: nothing after it is written, so the target is never silently wrong.
 *
 * <p>For streams that appear while the job runs ({@link #forDiscoveredStreams}), the target is the
 * stream's table in the target schema, and a stream's first rows are preceded by a {@link
 * ReplaceTableRecord}: its table is dropped and created from the rows' schema in the same sink
 * transaction. Whether that happened is keyed state, so it happens once per stream, in order with
 * its rows; a stream restored without it starts over from the first block anyway (no completed
 * range passed this operator, so its source cursor is empty). Rollbacks before that first row have
 * nothing of the stream to delete and are dropped.
 */
public final class ReorgOperator
        extends KeyedProcessFunction<String, AmpRecord, PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReorgOperator.class);

    private final Map<String, TableRef> targets;
    private final Map<String, List<String>> uniqueKeys;
    private final int retentionBlocks;
    private final String discoveredSchema;

    private transient ValueState<byte[]> state;
    private transient KeyedRows keyedRows;
    private transient BufferAllocator allocator;
    private transient Counter reorgs;
    private transient Map<String, ProgressBoard.Stream> progress;

    /** {@code targets}: stream id → the table it writes; every table is appended to. */
    public ReorgOperator(Map<String, TableRef> targets, int retentionBlocks) {
        this(targets, Map.of(), retentionBlocks);
    }

    /**
     * {@code uniqueKeys}: stream id → key columns, for the tables merged by key (upserts with an
     * undo log) rather than appended.
     */
    public ReorgOperator(
            Map<String, TableRef> targets,
            Map<String, List<String>> uniqueKeys,
            int retentionBlocks) {
        this(targets, uniqueKeys, retentionBlocks, null);
    }

    private ReorgOperator(
            Map<String, TableRef> targets,
            Map<String, List<String>> uniqueKeys,
            int retentionBlocks,
            String discoveredSchema) {
        this.targets = new HashMap<>(targets);
        this.uniqueKeys = new HashMap<>(uniqueKeys);
        this.retentionBlocks = retentionBlocks;
        this.discoveredSchema = discoveredSchema;
    }

    /**
     * For streams discovered at runtime: each appends to {@code <schema>.<its table>}, which it
     * replaces (drop, create from its schema) right before its first row.
     */
    public static ReorgOperator forDiscoveredStreams(String schema, int retentionBlocks) {
        return new ReorgOperator(Map.of(), Map.of(), retentionBlocks, schema);
    }

    @Override
    public void open(OpenContext openContext) {
        var bytes = PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("amp-reorg", bytes));
        keyedRows =
                new KeyedRows(
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "amp-current", Types.STRING, bytes)),
                        getRuntimeContext()
                                .getListState(new ListStateDescriptor<>("amp-undo", bytes)),
                        getRuntimeContext()
                                .getState(new ValueStateDescriptor<>("amp-schemas", bytes)));
        allocator = new RootAllocator();
        reorgs = getRuntimeContext().getMetricGroup().counter("reorgs");
        progress = new HashMap<>();
    }

    @Override
    public void close() throws Exception {
        if (allocator != null) {
            allocator.close();
        }
    }

    @Override
    public void processElement(AmpRecord record, Context ctx, Collector<PostgresSinkRecord> out)
            throws Exception {
        String stream = record.stream();
        ReorgState s = ReorgState.fromBytes(state.value());
        ProgressBoard.Stream board =
                progress.computeIfAbsent(stream, id -> ProgressBoard.stream(id, record.table()));
        if (s.stopped != null) {
            board.stopped(s.stopped);
            return; // the stream is stopped for good; see the error logged when it stopped
        }
        TableRef target = targets.get(stream);
        if (target == null && discoveredSchema != null) {
            target = new TableRef(discoveredSchema, record.table());
        }
        if (target == null) {
            throw new IllegalStateException("No target table for Amp stream '" + stream + "'");
        }
        List<String> keys = uniqueKeys.get(stream);
        switch (record.kind()) {
            case DATA:
                if (discoveredSchema != null && !s.targetReady) {
                    // Before the first row, with the rows of any earlier stream of this table
                    // already ahead of it (the source starts a replacing stream only then).
                    out.collect(new ReplaceTableRecord(target, record.arrowIpc()));
                    s.targetReady = true;
                    state.update(s.toBytes());
                }
                if (keys != null) {
                    keyedRows.write(record.arrowIpc(), target, keys, allocator, out);
                } else {
                    out.collect(new ArrowBatchRecord(target, networkOf(record), record.arrowIpc()));
                }
                board.rows(record.rowCount());
                return;
            case ROLLBACK:
                onRollback(s, record, target, keys, out, board);
                break;
            case COMPLETE:
                for (BlockRange r : record.ranges()) {
                    s.complete(r.network(), r.start(), r.end(), r.hash(), retentionBlocks);
                    board.completed(r.end(), r.end() - r.start() + 1);
                    if (keys != null) {
                        keyedRows.prune(r.end() - retentionBlocks + 1);
                    }
                }
                break;
            default:
                throw new IllegalStateException("Unknown record kind " + record.kind());
        }
        state.update(s.toBytes());
    }

    private void onRollback(
            ReorgState s,
            AmpRecord record,
            TableRef target,
            List<String> keys,
            Collector<PostgresSinkRecord> out,
            ProgressBoard.Stream board)
            throws Exception {
        String network = record.network();
        long from = record.fromBlock();
        long head = s.head(network);
        long depth = head - from + 1;
        reorgs.inc();
        board.reorg(depth);
        boolean tooDeep = depth > retentionBlocks;
        if (discoveredSchema != null && !s.targetReady) {
            // No row of this stream is in its table yet (which may still be a predecessor's).
            LOG.debug(
                    "Stream {}: rollback before its first row, nothing to delete", record.stream());
        } else if (keys == null) {
            // Rows of the abandoned fork go, whatever the depth: never leave them in the target.
            out.collect(new RollbackRecord(target, network, from));
        } else if (!tooDeep) {
            // Versions older than the window are pruned: a deeper reorg cannot be undone exactly,
            // so it stops the stream below without a partial restore.
            keyedRows.rollback(from, target, keys, out);
        }
        s.rollback(network, from);
        if (tooDeep) {
            s.stopped =
                    String.format(
                            "Stream '%s' (table %s) stopped: a reorg of depth %d on network %s"
                                    + " (from block %d, head %d) is deeper than the retained"
                                    + " window of %d blocks (--retention-blocks). "
                                    + (keys == null
                                            ? "The table holds correct rows up to block %d."
                                            : "The table, merged by key, still holds versions of"
                                                    + " the abandoned fork from block %d on.")
                                    + " To resync: if reorgs this deep are expected raise"
                                    + " --retention-blocks, then drop the table and start the job"
                                    + " without its checkpoint.",
                            record.stream(),
                            target.quoted(),
                            depth,
                            network,
                            from,
                            head,
                            retentionBlocks,
                            keys == null ? from - 1 : from);
            LOG.error(s.stopped);
            board.stopped(s.stopped);
        } else if (depth > 0) {
            LOG.info(
                    "Stream {}: reorg on {} rolls back from block {} (depth {})",
                    record.stream(),
                    network,
                    from,
                    depth);
        }
    }

    /** The network of a single-network batch (what a `_network` column records), else null. */
    private static String networkOf(AmpRecord record) {
        return record.ranges().size() == 1 ? record.ranges().get(0).network() : null;
    }
}
