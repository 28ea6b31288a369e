package dev.sluice.sources.amp.reader;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpSourceException;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.enumerator.RemoveStreamsEvent;
import dev.sluice.sources.amp.enumerator.StreamsRemovedEvent;
import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.Rollback;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.split.AmpSplitState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue;
import org.apache.flink.core.io.InputStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Amp streams assigned to this subtask. Each stream has a fetcher thread; the task thread
 * validates every batch's ranges (protocol §3), turns backward jumps into ROLLBACK records before
 * the replacement data, emits DATA and COMPLETE records, and keeps each split's state in step with
 * what it emitted, so a checkpoint records exactly what went downstream.
 *
 * <p>Restored splits first roll back rows of a microbatch that was cut by the checkpoint (it will
 * be re-streamed after the resume cursor); the same happens whenever a fetcher reconnects.
 *
 * <p>A {@link RemoveStreamsEvent} from the enumerator stops streams: their fetchers end, their
 * records not yet emitted are dropped, their splits leave the reader's state (the next checkpoint
 * no longer carries them), and the enumerator is told so.
 */
public final class AmpSourceReader implements SourceReader<AmpRecord, AmpSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(AmpSourceReader.class);

    private final SourceReaderContext context;
    private final AmpConnectionConfig config;
    private final Map<String, AmpStreamSpec> configured = new HashMap<>();
    private final boolean discovered;
    private final FutureCompletingBlockingQueue<FetchedItem> queue;
    private final Map<String, AmpSplitState> states = new LinkedHashMap<>();
    private final Map<String, AmpStreamFetcher> fetchers = new LinkedHashMap<>();
    private final ArrayDeque<AmpRecord> pending = new ArrayDeque<>();
    private final AmpReaderMetrics metrics;
    private final BufferAllocator allocator = new RootAllocator();
    private final ScheduledExecutorService watchdog;
    private int nextFetcherIndex;

    public AmpSourceReader(
            SourceReaderContext context, AmpConnectionConfig config, List<AmpStreamSpec> streams) {
        this(context, config, streams, false);
    }

    /**
     * With {@code discovered}, the enumerator decides the streams at runtime: every split it
     * assigns is read as its spec says, {@code streams} is not consulted.
     */
    public AmpSourceReader(
            SourceReaderContext context,
            AmpConnectionConfig config,
            List<AmpStreamSpec> streams,
            boolean discovered) {
        this.context = context;
        this.config = config;
        this.discovered = discovered;
        for (AmpStreamSpec s : streams) {
            configured.put(s.id(), s);
        }
        this.queue = new FutureCompletingBlockingQueue<>(config.queueCapacity());
        this.metrics = new AmpReaderMetrics(context.metricGroup());
        // Made here, not in start(): a restored reader gets its splits before start() is called.
        this.watchdog =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "amp-keepalive-watchdog");
                            t.setDaemon(true);
                            return t;
                        });
        watchdog.scheduleWithFixedDelay(this::checkKeepAlives, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void start() {
        // Fetchers start as splits arrive.
    }

    private void checkKeepAlives() {
        long now = System.nanoTime();
        for (AmpStreamFetcher f : fetchers.values().toArray(new AmpStreamFetcher[0])) {
            f.checkKeepAlive(now);
        }
    }

    @Override
    public void addSplits(List<AmpSplit> splits) {
        for (AmpSplit split : splits) {
            AmpStreamSpec spec = configured.get(split.splitId());
            if (discovered) {
                // The split's own spec, unless the job's configuration has the same stream: a
                // split checkpointed by an older build may name its table differently.
                if (spec == null || !spec.sql().equals(split.stream().sql())) {
                    spec = split.stream();
                }
                split = new AmpSplit(spec, split.cursor(), split.partial());
            }
            if (spec == null) {
                LOG.info("Stream {} is no longer configured; not reading it", split.splitId());
                continue;
            }
            if (!spec.sql().equals(split.stream().sql())) {
                throw new AmpSourceException(
                        "The query of stream '"
                                + split.splitId()
                                + "' changed since the checkpoint (was: "
                                + split.stream().sql()
                                + "; now: "
                                + spec.sql()
                                + "). Resuming it would mix rows of both queries: start the job"
                                + " without this checkpoint, or give the new query a new name.");
            }
            AmpSplitState state = new AmpSplitState(split);
            states.put(split.splitId(), state);
            LOG.info(
                    "Reading Amp stream {} from {} (rewinding {})",
                    split.splitId(),
                    split.cursor(),
                    split.partial());
            rewind(state);
            AmpStreamFetcher fetcher =
                    new AmpStreamFetcher(
                            nextFetcherIndex++,
                            state.toSplit(),
                            config,
                            queue,
                            allocator.newChildAllocator(split.splitId(), 0, Long.MAX_VALUE));
            fetchers.put(split.splitId(), fetcher);
            fetcher.start();
        }
    }

    /** Queues a rollback for each network with rows past the cursor; state forgets them on emit. */
    private void rewind(AmpSplitState state) {
        for (Map.Entry<String, Long> e : state.partial().entrySet()) {
            pending.add(
                    AmpRecord.rollback(
                            state.stream().id(), state.stream().table(), e.getKey(), e.getValue()));
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<AmpRecord> output) {
        if (!pending.isEmpty()) {
            emit(pending.poll(), output);
            return InputStatus.MORE_AVAILABLE;
        }
        FetchedItem item = queue.poll();
        if (item == null) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        AmpSplitState state = states.get(item.splitId);
        if (state == null) {
            return InputStatus.MORE_AVAILABLE; // queued before its stream was removed
        }
        switch (item.type) {
            case FAILED:
                throw item.error instanceof RuntimeException
                        ? (RuntimeException) item.error
                        : new AmpSourceException(
                                "Amp stream '" + item.splitId + "' failed", item.error);
            case RESUMED:
                metrics.stream(item.splitId).reconnects.inc();
                rewind(state);
                state.restartValidation();
                break;
            case BATCH:
                onBatch(state, item);
                break;
            default:
                throw new IllegalStateException("Unknown item " + item.type);
        }
        return pending.isEmpty() && queue.isEmpty()
                ? InputStatus.NOTHING_AVAILABLE
                : InputStatus.MORE_AVAILABLE;
    }

    private void onBatch(AmpSplitState state, FetchedItem item) {
        AmpStreamSpec spec = state.stream();
        BatchMetadata md = item.metadata;
        AmpReaderMetrics.StreamMetrics m = metrics.stream(spec.id());
        for (Rollback rb : state.validator().validate(md)) {
            long previousEnd = m.currentBlock;
            m.reorgs.inc();
            m.lastRollbackDepth =
                    previousEnd >= rb.fromBlock() ? previousEnd - rb.fromBlock() + 1 : 0;
            LOG.info(
                    "Reorg on stream {}: {} rolls back from block {} (depth {})",
                    spec.id(),
                    rb.network(),
                    rb.fromBlock(),
                    m.lastRollbackDepth);
            pending.add(AmpRecord.rollback(spec.id(), spec.table(), rb.network(), rb.fromBlock()));
        }
        if (md.rangesComplete()) {
            if (!md.ranges().isEmpty()) {
                pending.add(AmpRecord.complete(spec.id(), spec.table(), md.ranges()));
            }
        } else if (item.rowCount > 0) {
            pending.add(
                    AmpRecord.data(
                            spec.id(), spec.table(), md.ranges(), item.arrowIpc, item.rowCount));
            m.rows.inc(item.rowCount);
            m.bytes.inc(item.arrowIpc.length);
        }
    }

    /** Emits a record and moves its split's state to match. */
    private void emit(AmpRecord record, ReaderOutput<AmpRecord> output) {
        AmpSplitState state = states.get(record.stream());
        switch (record.kind()) {
            case ROLLBACK:
                state.onRollback(new Rollback(record.network(), record.fromBlock()));
                break;
            case DATA:
                state.onData(record.ranges());
                break;
            case COMPLETE:
                state.onComplete(record.ranges());
                long end = -1;
                Long timestamp = null;
                for (BlockRange r : record.ranges()) {
                    if (r.end() > end) {
                        end = r.end();
                        timestamp = r.timestamp();
                    }
                }
                AmpReaderMetrics.StreamMetrics m = metrics.stream(record.stream());
                m.currentBlock = end;
                m.currentBlockTimestamp = timestamp == null ? -1 : timestamp;
                break;
            default:
                break;
        }
        output.collect(record);
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (!(event instanceof RemoveStreamsEvent)) {
            LOG.warn("Ignoring unknown source event {}", event);
            return;
        }
        List<String> ids = ((RemoveStreamsEvent) event).streamIds();
        for (String id : ids) {
            AmpStreamFetcher fetcher = fetchers.remove(id);
            if (fetcher != null) {
                try {
                    fetcher.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AmpSourceException("Interrupted stopping Amp stream " + id, e);
                }
            }
            if (states.remove(id) != null) {
                LOG.info("Amp stream {} removed: stopped reading it", id);
            }
            for (BufferAllocator child : allocator.getChildAllocators()) {
                if (child.getName().equals(id)) {
                    closeQuietly(child);
                }
            }
        }
        pending.removeIf(r -> ids.contains(r.stream()));
        context.sendSourceEventToCoordinator(new StreamsRemovedEvent(ids));
    }

    @Override
    public List<AmpSplit> snapshotState(long checkpointId) {
        List<AmpSplit> splits = new ArrayList<>(states.size());
        for (AmpSplitState s : states.values()) {
            splits.add(s.toSplit());
        }
        return splits;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return pending.isEmpty()
                ? queue.getAvailabilityFuture()
                : FutureCompletingBlockingQueue.AVAILABLE;
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() throws Exception {
        watchdog.shutdownNow();
        for (AmpStreamFetcher f : fetchers.values()) {
            f.stop();
        }
        fetchers.clear();
        FetchedItem leftover;
        while ((leftover = queue.poll()) != null) {
            // Drop undelivered batches; their rows are re-read after the restored cursor.
            assert leftover.type != null;
        }
        for (BufferAllocator child : allocator.getChildAllocators()) {
            closeQuietly(child);
        }
        closeQuietly(allocator);
    }

    private static void closeQuietly(BufferAllocator allocator) {
        try {
            allocator.close();
        } catch (IllegalStateException e) {
            LOG.warn("Arrow memory still held when closing {}: {}", allocator, e.getMessage());
        }
    }
}
