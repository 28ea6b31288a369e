package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * One DoGet: the schema, then microbatches as Amp sends them (data batches carrying the whole
 * range, one zero-row complete batch), following the head and re-sending from the fork point after
 * a reorg. Runs on the gRPC thread of the call until the query ends, the client cancels or the
 * server closes.
 */
final class DevStream {

    private static final long POLL_MILLIS = 100;

    private final AmpDevServerOptions options;
    private final DevChain chain;
    private final BufferAllocator allocator;
    private final MicrobatchCache cache;
    private final BoundQuery query;
    private final ResumeCursor cursor;
    private final ServerStreamListener listener;
    private final BooleanSupplier serverClosed;
    private final Object signal = new Object();

    /** The query's part of every cache key (null without a cache). */
    private final String cacheQuery;

    private VectorSchemaRoot root;
    private BatchFiller filler;
    private VectorUnloader unloader;
    private VectorLoader loader;
    private boolean started;
    private long lastMessageNanos = System.nanoTime();

    DevStream(
            AmpDevServerOptions options,
            DevChain chain,
            BufferAllocator allocator,
            MicrobatchCache cache,
            BoundQuery query,
            ResumeCursor cursor,
            ServerStreamListener listener,
            BooleanSupplier serverClosed) {
        this.options = options;
        this.chain = chain;
        this.allocator = allocator;
        this.cache = cache;
        this.cacheQuery = cache == null ? null : MicrobatchCache.queryKey(query);
        this.query = query;
        this.cursor = cursor;
        this.listener = listener;
        this.serverClosed = serverClosed;
    }

    void run() throws InterruptedException {
        Runnable wake =
                () -> {
                    synchronized (signal) {
                        signal.notifyAll();
                    }
                };
        listener.setOnCancelHandler(
                () -> {
                    wake.run();
                    chain.wakeAll();
                });
        try {
            listener.setOnReadyHandler(wake);
        } catch (UnsupportedOperationException e) {
            // Polling isReady() below still works.
        }
        try (VectorSchemaRoot r = VectorSchemaRoot.create(query.schema, allocator)) {
            root = r;
            filler =
                    new BatchFiller(
                            query, r, options.txsPerBlock, options.logsPerTx, options.batchBytes);
            if (cache != null) {
                unloader = new VectorUnloader(r);
                loader = new VectorLoader(r);
            }
            boolean finished = query.streaming ? stream() : snapshot();
            if (finished) {
                listener.completed();
            } else if (!listener.isCancelled()) {
                listener.error(
                        CallStatus.UNAVAILABLE
                                .withDescription("The Amp dev server is shutting down")
                                .toRuntimeException());
            }
        }
    }

    /** Non-streaming: everything up to the head now, one final complete batch, the end. */
    private boolean snapshot() {
        ChainView view = chain.view();
        if (view.isEmpty()) {
            return noData();
        }
        return microbatch(view, 0, view.head());
    }

    private boolean noData() {
        start();
        filler.empty();
        send(new BatchMetadata(List.of(), true));
        return true;
    }

    /** Streaming: backfill, then follow the head; returns false when stopped early. */
    private boolean stream() throws InterruptedException {
        ChainView view = chain.view();
        if (view.isEmpty()) {
            return noData();
        }
        long next = 0;
        ChainView basis = null;
        long sentEnd = -1;
        BlockRef ref = cursor == null ? null : cursor.blocks().get(options.network);
        if (ref != null) {
            next = chain.resumePoint(view, ref);
            if (next > 0) {
                basis = view;
                sentEnd = next - 1;
            }
        }
        boolean caughtUp = false;
        while (!stopped()) {
            view = chain.view();
            if (basis != null) {
                long fork = basis.firstDifference(view, sentEnd);
                if (fork <= sentEnd) {
                    next = fork;
                    sentEnd = fork - 1;
                    basis = view;
                }
            }
            if (next > view.head()) {
                chain.awaitChange(view, POLL_MILLIS);
                continue;
            }
            long size = caughtUp ? options.headMicrobatchBlocks : options.microbatchBlocks;
            long end = Math.min(view.head(), next + size - 1);
            if (!microbatch(view, next, end)) {
                return false;
            }
            basis = view;
            sentEnd = end;
            next = end + 1;
            caughtUp |= end == view.head();
        }
        return false;
    }

    /** Sends one microbatch; false when the client or the server stopped it. */
    private boolean microbatch(ChainView view, long start, long end) {
        BlockRange range =
                new BlockRange(
                        options.network,
                        start,
                        end,
                        view.hashHex(end),
                        start == 0 ? BlockHashes.ZERO : view.hashHex(start - 1),
                        ChainView.timestamp(end));
        BatchMetadata data = new BatchMetadata(List.of(range), false);
        start();
        if (keepAliveDue()) {
            filler.empty();
            send(data);
        }
        MicrobatchCache.Key key =
                cache == null ? null : new MicrobatchCache.Key(cacheQuery, view, start, end);
        List<ArrowRecordBatch> cached = key == null ? null : cache.get(key);
        boolean sent =
                cached != null ? resend(cached, data) : generate(view, start, end, data, key);
        if (!sent || !awaitReady()) {
            return false;
        }
        filler.empty();
        send(new BatchMetadata(List.of(range), true));
        return true;
    }

    /** Generates the microbatch's data batches, keeping them in the cache if there is one. */
    private boolean generate(
            ChainView view, long start, long end, BatchMetadata data, MicrobatchCache.Key key) {
        List<ArrowRecordBatch> kept = key == null || !cache.hasRoom() ? null : new ArrayList<>();
        boolean complete = false;
        try {
            filler.reset(view, start, end);
            while (!filler.done()) {
                if (!awaitReady()) {
                    return false;
                }
                if (keepAliveDue()) {
                    filler.empty();
                    send(data);
                }
                if (filler.fillNext() > 0) {
                    if (kept != null) {
                        try (ArrowRecordBatch filled = unloader.getRecordBatch()) {
                            kept.add(cache.compactCopy(filled));
                        }
                    }
                    send(data);
                }
            }
            complete = true;
            return true;
        } finally {
            if (kept != null) {
                if (complete) {
                    cache.put(key, kept);
                } else {
                    kept.forEach(ArrowRecordBatch::close);
                }
            }
        }
    }

    /** Sends a microbatch's data batches again from the cache. */
    private boolean resend(List<ArrowRecordBatch> batches, BatchMetadata data) {
        for (ArrowRecordBatch batch : batches) {
            if (!awaitReady()) {
                return false;
            }
            if (keepAliveDue()) {
                filler.empty();
                send(data);
            }
            loader.load(batch);
            send(data);
        }
        return true;
    }

    private void start() {
        if (!started) {
            listener.start(root);
            started = true;
        }
    }

    private boolean keepAliveDue() {
        return System.nanoTime() - lastMessageNanos >= options.keepAlive.toNanos();
    }

    private void send(BatchMetadata metadata) {
        byte[] bytes = metadata.toBytes();
        ArrowBuf buf = allocator.buffer(bytes.length);
        buf.writeBytes(bytes);
        listener.putNext(buf);
        lastMessageNanos = System.nanoTime();
    }

    /** Waits for gRPC flow control; false when the stream must stop. */
    private boolean awaitReady() {
        while (!listener.isReady()) {
            if (stopped()) {
                return false;
            }
            synchronized (signal) {
                try {
                    signal.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !stopped();
    }

    private boolean stopped() {
        return listener.isCancelled()
                || serverClosed.getAsBoolean()
                || Thread.currentThread().isInterrupted();
    }
}
