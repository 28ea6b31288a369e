package dev.sluice.sources.amp.reader;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.AmpSourceException;
import dev.sluice.sources.amp.internal.AmpErrors;
import dev.sluice.sources.amp.internal.AmpFlightClients;
import dev.sluice.sources.amp.internal.AmpFlightConnection;
import dev.sluice.sources.amp.internal.FlightMessage;
import dev.sluice.sources.amp.internal.FlightMessageStream;
import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import dev.sluice.sources.amp.split.AmpSplit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one Amp stream on its own thread and hands each Flight batch to the task thread through the
 * reader's bounded queue; a full queue blocks this thread, which in turn stops reading from gRPC
 * and so slows the server down. A lost connection is re-opened with exponential back-off from the
 * last <em>completed</em> range this thread saw, announced by a {@code RESUMED} item so the task
 * thread can roll back the partial microbatch it already emitted.
 */
final class AmpStreamFetcher implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(AmpStreamFetcher.class);

    /** GetFlightInfo only plans the query; a server that takes longer than this is stuck. */
    private static final long INFO_TIMEOUT_SECONDS = 60;

    private final int index;
    private final AmpSplit split;
    private final AmpConnectionConfig config;
    private final FutureCompletingBlockingQueue<FetchedItem> queue;
    private final BufferAllocator allocator;
    private final Thread thread;

    /** Counted down by {@link #stop()}: waits end early on it instead of by interrupts. */
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running = true;
    private volatile FlightMessageStream current;
    private volatile boolean inMicrobatch;
    private volatile long lastMessageNanos = System.nanoTime();

    AmpStreamFetcher(
            int index,
            AmpSplit split,
            AmpConnectionConfig config,
            FutureCompletingBlockingQueue<FetchedItem> queue,
            BufferAllocator allocator) {
        this.index = index;
        this.split = split;
        this.config = config;
        this.queue = queue;
        this.allocator = allocator;
        this.thread = new Thread(this, "amp-fetcher-" + split.splitId());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        String id = split.splitId();
        Map<String, BlockRef> cursor = new TreeMap<>(split.cursor().blocks());
        boolean opened = false;
        long failingSince = -1;
        long backoffMs = config.initialBackoff().toMillis();
        try (AmpFlightConnection connection = AmpFlightConnection.open(config, allocator)) {
            FlightClient client = connection.client();
            while (running) {
                boolean noDataYet = false;
                boolean announceResume = opened;
                try {
                    FlightInfo info =
                            client.getInfo(
                                    FlightSqlCommands.statementQuery(split.stream().sql()),
                                    AmpFlightClients.infoHeaders(config, new ResumeCursor(cursor)),
                                    CallOptions.timeout(INFO_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                    if (info.getEndpoints().isEmpty()) {
                        throw new AmpSourceException(
                                "The Amp server returned no endpoint for stream '" + id + "'");
                    }
                    try (FlightMessageStream stream =
                            connection.stream(info.getEndpoints().get(0).getTicket())) {
                        current = stream;
                        if (!running) {
                            // stop() ran before this stream was current: it could not cancel it.
                            stream.cancel("source closing");
                        }
                        opened = true;
                        FlightMessage message;
                        while (running && (message = stream.next()) != null) {
                            lastMessageNanos = System.nanoTime();
                            if (!message.isBatch()) {
                                continue;
                            }
                            failingSince = -1;
                            backoffMs = config.initialBackoff().toMillis();
                            BatchMetadata md = BatchMetadata.parse(message.appMetadata());
                            int rows = message.rows();
                            byte[] data =
                                    rows > 0 && !md.rangesComplete() ? message.ipcStream() : null;
                            if (announceResume) {
                                hand(FetchedItem.resumed(id));
                                announceResume = false;
                            }
                            hand(FetchedItem.batch(id, md, data, rows));
                            if (md.rangesComplete()) {
                                for (BlockRange r : md.ranges()) {
                                    cursor.put(r.network(), r.endRef());
                                }
                                noDataYet = md.ranges().isEmpty();
                                inMicrobatch = false;
                            } else if (!md.ranges().isEmpty()) {
                                inMicrobatch = true;
                            }
                        }
                        if (running && !noDataYet) {
                            stream.cancel("stream ended before the client stopped");
                        }
                    } finally {
                        current = null;
                        inMicrobatch = false;
                    }
                    if (!running) {
                        break;
                    }
                    if (noDataYet) {
                        pause(config.noDataPollInterval().toMillis());
                        continue;
                    }
                    throw new StreamEndedException();
                } catch (FlightRuntimeException | StreamEndedException e) {
                    if (!running) {
                        break;
                    }
                    if (e instanceof FlightRuntimeException
                            && AmpErrors.isFatal((FlightRuntimeException) e)) {
                        hand(
                                FetchedItem.failed(
                                        id,
                                        new AmpSourceException(
                                                AmpErrors.describe(
                                                        id,
                                                        config.endpoint(),
                                                        (FlightRuntimeException) e),
                                                e)));
                        return;
                    }
                    long now = System.nanoTime();
                    if (failingSince < 0) {
                        failingSince = now;
                    } else if (now - failingSince > config.reconnectTimeout().toNanos()) {
                        hand(
                                FetchedItem.failed(
                                        id,
                                        new AmpSourceException(
                                                "Amp stream '"
                                                        + id
                                                        + "' could not reconnect to "
                                                        + config.endpoint()
                                                        + " within "
                                                        + config.reconnectTimeout()
                                                        + " (source.amp.reconnect.timeout); last"
                                                        + " error: "
                                                        + describe(e),
                                                e)));
                        return;
                    }
                    LOG.warn(
                            "Amp stream '{}' lost ({}); reconnecting in {} ms from {}",
                            id,
                            describe(e),
                            backoffMs,
                            cursor);
                    pause(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, config.maxBackoff().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running) {
                failQuietly(
                        id, new AmpSourceException("Amp fetcher of '" + id + "' interrupted", e));
            }
        } catch (Throwable t) {
            if (running) {
                failQuietly(id, t);
            }
        }
    }

    /** Sleeps, but returns as soon as the fetcher is stopped. */
    private void pause(long millis) throws InterruptedException {
        stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    private String describe(Exception e) {
        if (e instanceof FlightRuntimeException) {
            FlightRuntimeException f = (FlightRuntimeException) e;
            return f.status().code() + ": " + f.status().description();
        }
        return e.getMessage();
    }

    private void hand(FetchedItem item) throws InterruptedException {
        while (running && !queue.put(index, item)) {
            // Woken up without space (shutdown or wake-up); re-check running and retry.
        }
    }

    private void failQuietly(String id, Throwable t) {
        try {
            hand(FetchedItem.failed(id, t));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cancels the current stream if a microbatch has been silent for longer than allowed. */
    void checkKeepAlive(long nowNanos) {
        FlightMessageStream stream = current;
        if (stream != null
                && inMicrobatch
                && nowNanos - lastMessageNanos > config.keepAliveTimeout().toNanos()) {
            LOG.warn(
                    "Amp stream '{}' sent nothing for {} inside a microbatch; reconnecting",
                    split.splitId(),
                    config.keepAliveTimeout());
            lastMessageNanos = nowNanos;
            stream.cancel("keep-alive timeout");
        }
    }

    /** Stops the thread and waits (bounded) for it to end. */
    void stop() throws InterruptedException {
        running = false;
        FlightMessageStream stream = current;
        if (stream != null) {
            stream.cancel("source closing");
        }
        stopped.countDown();
        // No interrupt: cancelling the call ends a waiting read, after which the thread closes
        // its channel in order (an interrupt would skip that).
        queue.wakeUpPuttingThread(index);
        thread.join(10_000);
        if (thread.isAlive()) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement e : thread.getStackTrace()) {
                where.append("\n\tat ").append(e);
            }
            LOG.warn(
                    "Amp fetcher of '{}' did not stop within 10 s; it is at:{}",
                    split.splitId(),
                    where);
        }
    }

    /** The server ended a streaming query, which it never does on its own. */
    private static final class StreamEndedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamEndedException() {
            super("the server ended the stream unexpectedly");
        }
    }
}
