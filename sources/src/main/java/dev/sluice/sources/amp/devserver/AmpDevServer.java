package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol-faithful Amp server over a deterministic EVM-like chain, for tests, benchmarks and
 * demos: Flight SQL queries over {@code blocks}, {@code transactions} and {@code logs}, streamed in
 * microbatches with Amp's metadata, reorgs and resume, plus an admin HTTP API and the same chain
 * controls in Java.
 *
 * <p>Embeddable: {@code AmpDevServer.builder().port(0).adminPort(0).build().start()}; {@link
 * #close()} ends every stream and frees all memory. Memory stays bounded however long the chain:
 * rows are generated on the fly from the seed.
 */
public final class AmpDevServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AmpDevServer.class);

    private final AmpDevServerOptions options;
    private final DevChain chain;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Queue<String[]> opened = new ConcurrentLinkedQueue<>();
    private BufferAllocator allocator;
    private MicrobatchCache cache;
    private ExecutorService flightExecutor;
    private FlightServer flightServer;
    private AdminHttpServer adminServer;
    private ScheduledExecutorService miner;

    AmpDevServer(AmpDevServerOptions options) {
        this.options = options;
        this.chain =
                new DevChain(options.seed, options.blocks, options.reorgEvery, options.reorgDepth);
    }

    public static AmpDevServerBuilder builder() {
        return new AmpDevServerBuilder();
    }

    /** Binds the Flight and admin ports and starts auto-mining if configured. */
    public synchronized AmpDevServer start() throws IOException {
        if (flightServer != null) {
            throw new IllegalStateException("The Amp dev server is already started");
        }
        allocator = new RootAllocator();
        cache = options.cacheMicrobatches ? new MicrobatchCache(allocator) : null;
        flightExecutor = Executors.newCachedThreadPool(daemon("amp-dev-flight"));
        FlightServer.Builder flight =
                FlightServer.builder()
                        .allocator(allocator)
                        .location(
                                options.tls()
                                        ? Location.forGrpcTls(options.host, options.port)
                                        : Location.forGrpcInsecure(options.host, options.port));
        if (options.tls()) {
            flight.useTls(options.tlsCertChain.toFile(), options.tlsKey.toFile());
        }
        flightServer =
                flight.producer(new DevFlightProducer(this))
                        .middleware(
                                AmpCallMiddleware.KEY,
                                new AmpCallMiddleware.Factory(options.authToken))
                        .executor(flightExecutor)
                        .build();
        try {
            flightServer.start();
            if (options.adminPort >= 0) {
                adminServer = new AdminHttpServer(this, options.host, options.adminPort);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (!options.blockTime.isZero()) {
            miner = Executors.newSingleThreadScheduledExecutor(daemon("amp-dev-miner"));
            long ms = Math.max(1, options.blockTime.toMillis());
            miner.scheduleAtFixedRate(this::autoMine, ms, ms, TimeUnit.MILLISECONDS);
        }
        LOG.info(
                "Amp dev server on Flight port {} (admin port {}): {}",
                flightPort(),
                adminPort(),
                options);
        return this;
    }

    private void autoMine() {
        try {
            chain.mine(1);
        } catch (RuntimeException e) {
            LOG.warn("Auto-mining failed", e);
        }
    }

    /** The bound Flight port (useful with port 0). */
    public int flightPort() {
        return flightServer.getPort();
    }

    /** The bound admin HTTP port, or -1 without an admin server. */
    public int adminPort() {
        return adminServer == null ? -1 : adminServer.port();
    }

    /** {@code grpc+tcp://localhost:<port>}: where a local client connects. */
    public Location flightLocation() {
        return options.tls()
                ? Location.forGrpcTls("localhost", flightPort())
                : Location.forGrpcInsecure("localhost", flightPort());
    }

    public AmpDevServerOptions options() {
        return options;
    }

    /** The canonical head, or null while the chain has no blocks. */
    public BlockRef head() {
        ChainView v = chain.view();
        return v.isEmpty() ? null : v.ref(v.head());
    }

    /** Mines {@code n} blocks at once (streams see them together); returns the new head. */
    public BlockRef mine(long n) {
        chain.mine(n);
        return head();
    }

    /**
     * Replaces the last {@code depth} canonical blocks with a new fork of {@code depth + mine}
     * blocks; returns the new head.
     */
    public BlockRef reorg(long depth, long mine) {
        chain.reorg(depth, mine);
        return head();
    }

    /** The canonical blocks {@code from..=to} (clipped to the head); at most 10 000. */
    public List<DevBlock> blocks(long from, long to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(
                    "Block range must satisfy 0 <= from <= to, got " + from + ".." + to);
        }
        if (to - from >= 10_000) {
            throw new IllegalArgumentException(
                    "At most 10000 blocks per request, got " + (to - from + 1));
        }
        ChainView v = chain.view();
        List<DevBlock> out = new ArrayList<>();
        for (long n = from; n <= Math.min(to, v.head()); n++) {
            out.add(
                    new DevBlock(
                            n,
                            v.hashHex(n),
                            v.parentHashHex(n),
                            ChainView.timestamp(n),
                            options.txsPerBlock,
                            (long) options.txsPerBlock * options.logsPerTx));
        }
        return out;
    }

    /** Row count and MD5 of a table's canonical rows; see {@link ChainDigest} for the text form. */
    public ChainDigest.Result digest(String table) {
        DevTable t = EvmTables.all().get(table);
        if (t == null) {
            throw new IllegalArgumentException(
                    "Unknown table '" + table + "': use blocks, transactions or logs");
        }
        return ChainDigest.compute(chain.view(), t, options.txsPerBlock, options.logsPerTx);
    }

    /** How many microbatches were served from the microbatch cache (tests). */
    long cachedMicrobatchesServed() {
        return cache == null ? 0 : cache.hits();
    }

    /** Streams being served right now. */
    public int activeStreams() {
        return activeStreams.get();
    }

    /**
     * How many streams (DoGet calls) were opened for a SQL text containing {@code sqlFragment}, and
     * how many of those started from the beginning (no resume cursor): tests tell with it whether a
     * stream was left running, resumed, or started over.
     */
    public long[] streamsOpened(String sqlFragment) {
        long count = 0;
        long fromStart = 0;
        for (String[] call : opened) {
            if (call[0].contains(sqlFragment)) {
                count++;
                fromStart += call[1] == null ? 1 : 0;
            }
        }
        return new long[] {count, fromStart};
    }

    void serve(String sql, BoundQuery query, ResumeCursor cursor, ServerStreamListener listener)
            throws InterruptedException {
        opened.add(new String[] {sql, cursor == null ? null : "resume"});
        activeStreams.incrementAndGet();
        MicrobatchCache streamCache = MicrobatchCache.cacheable(query) ? cache : null;
        // Cached batches outlive the stream that generated them: such a stream allocates in the
        // cache's allocator, any other in a child of its own, closed when the stream ends.
        BufferAllocator streamAllocator =
                streamCache != null
                        ? streamCache.allocator()
                        : allocator.newChildAllocator("amp-dev-stream", 0, Long.MAX_VALUE);
        try {
            new DevStream(
                            options,
                            chain,
                            streamAllocator,
                            streamCache,
                            query,
                            cursor,
                            listener,
                            closed::get)
                    .run();
        } finally {
            try {
                if (streamCache == null) {
                    streamAllocator.close();
                }
            } finally {
                activeStreams.decrementAndGet();
            }
        }
    }

    /** Blocks until {@link #close()} is called. */
    public void awaitTermination() throws InterruptedException {
        flightServer.awaitTermination();
    }

    /** Ends every stream (UNAVAILABLE), stops both servers and frees all memory. */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        chain.close();
        if (miner != null) {
            miner.shutdownNow();
        }
        if (adminServer != null) {
            adminServer.close();
        }
        try {
            if (flightServer != null) {
                flightServer.shutdown();
                if (!flightServer.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("Amp dev server streams did not end within 5 s");
                }
                flightServer.close();
            }
            // Cancelled calls are over for gRPC before their handler threads notice: wait for
            // them so no stream still writes into the allocator closed below.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (activeStreams.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (flightExecutor != null) {
                flightExecutor.shutdownNow();
            }
            if (cache != null) {
                try {
                    cache.close();
                } catch (IllegalStateException e) {
                    LOG.warn("Amp dev server cache not empty on close: {}", e.getMessage());
                }
            }
            if (allocator != null) {
                try {
                    allocator.close();
                } catch (IllegalStateException e) {
                    LOG.warn("Amp dev server allocator not empty on close: {}", e.getMessage());
                }
            }
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
