package dev.sluice.sources.amp.testutils;

import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.RequestContext;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A real Arrow Flight server (gRPC on a random port) that answers each stream with a scripted
 * sequence of Amp batches. For reader tests that need exact traces the dev server cannot make:
 * protocol violations, streams cut mid-microbatch, fatal statuses. Rows have one column, {@code
 * _block_num}, one row per block of the batch's first range.
 */
public final class ScriptedAmpServer implements AutoCloseable {

    public static final Schema SCHEMA =
            new Schema(
                    List.of(
                            new Field(
                                    "_block_num",
                                    FieldType.notNullable(new ArrowType.Int(64, false)),
                                    null)));

    /** What the server got with one GetFlightInfo. */
    public static final class Call {
        public final int number;
        public final String sql;
        public final Map<String, String> headers;

        Call(int number, String sql, Map<String, String> headers) {
            this.number = number;
            this.sql = sql;
            this.headers = headers;
        }

        public String resume() {
            return headers.get(AmpHeaders.RESUME);
        }
    }

    /** Plays one stream. */
    @FunctionalInterface
    public interface Script {
        void play(Call call, Out out) throws Exception;
    }

    /** The batches a script sends. */
    public static final class Out {
        private final org.apache.arrow.flight.FlightProducer.ServerStreamListener listener;
        private final VectorSchemaRoot root;
        private final BufferAllocator allocator;

        Out(
                org.apache.arrow.flight.FlightProducer.ServerStreamListener listener,
                VectorSchemaRoot root,
                BufferAllocator allocator) {
            this.listener = listener;
            this.root = root;
            this.allocator = allocator;
        }

        /** A data batch: one row per block of the first range. */
        public Out data(BlockRange... ranges) {
            UInt8Vector v = (UInt8Vector) root.getVector(0);
            BlockRange first = ranges[0];
            int n = (int) (first.end() - first.start() + 1);
            v.allocateNew(n);
            for (int i = 0; i < n; i++) {
                v.set(i, first.start() + i);
            }
            v.setValueCount(n);
            root.setRowCount(n);
            send(new BatchMetadata(List.of(ranges), false));
            return this;
        }

        /** The zero-row watermark batch. */
        public Out complete(BlockRange... ranges) {
            root.setRowCount(0);
            send(new BatchMetadata(List.of(ranges), true));
            return this;
        }

        /** A zero-row batch with arbitrary metadata bytes. */
        public Out raw(String appMetadata, int rows) {
            root.setRowCount(rows);
            byte[] bytes = appMetadata.getBytes(StandardCharsets.UTF_8);
            ArrowBuf buf = allocator.buffer(bytes.length);
            buf.writeBytes(bytes);
            listener.putNext(buf);
            return this;
        }

        private void send(BatchMetadata md) {
            byte[] bytes = md.toBytes();
            ArrowBuf buf = allocator.buffer(bytes.length);
            buf.writeBytes(bytes);
            listener.putNext(buf);
        }

        public void end() {
            listener.completed();
        }

        public void fail(CallStatus status) {
            listener.error(status.toRuntimeException());
        }

        /** Holds the stream open (an idle head) until the client cancels, at most 30 s. */
        public void idle() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!listener.isCancelled() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    private static final FlightServerMiddleware.Key<HeaderCapture> HEADERS =
            FlightServerMiddleware.Key.of("headers");

    private final BufferAllocator allocator = new RootAllocator();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final List<Call> callLog = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final FlightServer server;
    private volatile Script script;

    public ScriptedAmpServer(Script script) throws Exception {
        this.script = script;
        this.server =
                FlightServer.builder(
                                allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer())
                        .middleware(HEADERS, new HeaderCaptureFactory())
                        .build()
                        .start();
    }

    public void setScript(Script script) {
        this.script = script;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Every GetFlightInfo so far, in order. */
    public List<Call> calls() {
        return callLog;
    }

    @Override
    public void close() throws Exception {
        server.shutdown();
        server.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
        try {
            allocator.close();
        } catch (IllegalStateException e) {
            // Flight keeps the metadata buffers of batches queued on a cancelled call; harmless
            // here.
        }
    }

    private final class Producer extends NoOpFlightProducer {
        @Override
        public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
            String sql;
            try {
                sql = FlightSqlCommands.sqlOf(descriptor);
            } catch (IllegalArgumentException e) {
                throw CallStatus.INVALID_ARGUMENT
                        .withDescription(e.getMessage())
                        .toRuntimeException();
            }
            Call call =
                    new Call(
                            counter.incrementAndGet(), sql, context.getMiddleware(HEADERS).headers);
            String ticket = "call-" + call.number;
            calls.put(ticket, call);
            callLog.add(call);
            return new FlightInfo(
                    SCHEMA,
                    descriptor,
                    List.of(
                            new FlightEndpoint(
                                    new Ticket(ticket.getBytes(StandardCharsets.UTF_8)))),
                    -1,
                    -1);
        }

        @Override
        public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
            Call call = calls.get(new String(ticket.getBytes(), StandardCharsets.UTF_8));
            try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
                listener.start(root);
                script.play(call, new Out(listener, root, allocator));
            } catch (Exception e) {
                listener.error(
                        CallStatus.INTERNAL.withDescription(e.toString()).toRuntimeException());
            }
        }
    }

    private static final class HeaderCapture implements FlightServerMiddleware {
        final Map<String, String> headers = new ConcurrentHashMap<>();

        @Override
        public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

        @Override
        public void onCallCompleted(CallStatus status) {}

        @Override
        public void onCallErrored(Throwable err) {}
    }

    private static final class HeaderCaptureFactory
            implements FlightServerMiddleware.Factory<HeaderCapture> {
        @Override
        public HeaderCapture onCallStarted(
                CallInfo info, CallHeaders incoming, RequestContext context) {
            HeaderCapture capture = new HeaderCapture();
            for (String key : incoming.keys()) {
                String value = incoming.get(key);
                if (value != null) {
                    capture.headers.put(key, value);
                }
            }
            return capture;
        }
    }
}
