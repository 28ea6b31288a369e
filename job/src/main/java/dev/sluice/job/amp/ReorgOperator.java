package dev.sluice.job.amp;

import dev.sluice.job.local.ProgressBoard;
import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.protocol.BlockRange;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
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
 */
public final class ReorgOperator
        extends KeyedProcessFunction<String, AmpRecord, PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReorgOperator.class);

    private final Map<String, TableRef> targets;
    private final int retentionBlocks;

    private transient ValueState<byte[]> state;
    private transient Counter reorgs;
    private transient Map<String, ProgressBoard.Stream> progress;

    /** {@code targets}: stream id → the table it writes. */
    public ReorgOperator(Map<String, TableRef> targets, int retentionBlocks) {
        this.targets = new HashMap<>(targets);
        this.retentionBlocks = retentionBlocks;
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "amp-reorg",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        reorgs = getRuntimeContext().getMetricGroup().counter("reorgs");
        progress = new HashMap<>();
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
        if (target == null) {
            throw new IllegalStateException("No target table for Amp stream '" + stream + "'");
        }
        switch (record.kind()) {
            case DATA:
                out.collect(new ArrowBatchRecord(target, networkOf(record), record.arrowIpc()));
                board.rows(record.rowCount());
                return;
            case ROLLBACK:
                onRollback(s, record, target, out, board);
                break;
            case COMPLETE:
                for (BlockRange r : record.ranges()) {
                    s.complete(r.network(), r.start(), r.end(), r.hash(), retentionBlocks);
                    board.completed(r.end(), r.end() - r.start() + 1);
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
            Collector<PostgresSinkRecord> out,
            ProgressBoard.Stream board) {
        String network = record.network();
        long from = record.fromBlock();
        long head = s.head(network);
        long depth = head - from + 1;
        reorgs.inc();
        // Rows of the abandoned fork go, whatever the depth: never leave them in the target.
        out.collect(new RollbackRecord(target, network, from));
        s.rollback(network, from);
        board.reorg(depth);
        if (depth > retentionBlocks) {
            s.stopped =
                    String.format(
                            "Stream '%s' (table %s) stopped: a reorg of depth %d on network %s"
                                    + " (from block %d, head %d) is deeper than the retained"
                                    + " window of %d blocks (--retention-blocks). The table holds"
                                    + " correct rows up to block %d. To resync: if reorgs this"
                                    + " deep are expected raise --retention-blocks, then drop the"
                                    + " table and start the job without its checkpoint.",
                            record.stream(),
                            target.quoted(),
                            depth,
                            network,
                            from,
                            head,
                            retentionBlocks,
                            from - 1);
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
