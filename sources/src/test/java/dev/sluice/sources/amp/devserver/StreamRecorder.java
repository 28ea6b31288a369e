package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads one Amp stream on a background thread into a queue of messages tests poll with timeouts.
 */
final class StreamRecorder implements AutoCloseable {

    /** One record batch: its metadata and, for data batches, the values a test asked for. */
    static final class Message {
        final BatchMetadata metadata;
        final int rows;
        final List<Object> values;

        Message(BatchMetadata metadata, int rows, List<Object> values) {
            this.metadata = metadata;
            this.rows = rows;
            this.values = values;
        }

        boolean complete() {
            return metadata.rangesComplete();
        }

        String range() {
            return metadata.ranges().isEmpty()
                    ? "[]"
                    : metadata.ranges().get(0).start() + "..=" + metadata.ranges().get(0).end();
        }

        @Override
        public String toString() {
            return (complete() ? "W" : "D") + range() + "(" + rows + ")";
        }
    }

    static final Message END = new Message(new BatchMetadata(List.of(), false), -1, List.of());

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    volatile Schema schema;
    volatile Throwable error;
    private final FlightStream stream;
    private final Thread reader;

    private StreamRecorder(FlightStream stream, String column, Consumer<VectorSchemaRoot> each) {
        this.stream = stream;
        this.reader =
                new Thread(
                        () -> {
                            try {
                                schema = stream.getSchema();
                                while (stream.next()) {
                                    VectorSchemaRoot root = stream.getRoot();
                                    byte[] meta = null;
                                    if (stream.getLatestMetadata() != null) {
                                        meta =
                                                new byte
                                                        [(int)
                                                                stream.getLatestMetadata()
                                                                        .readableBytes()];
                                        stream.getLatestMetadata().getBytes(0, meta);
                                    }
                                    List<Object> values = new ArrayList<>();
                                    if (column != null) {
                                        for (int i = 0; i < root.getRowCount(); i++) {
                                            values.add(root.getVector(column).getObject(i));
                                        }
                                    }
                                    if (each != null) {
                                        each.accept(root);
                                    }
                                    messages.add(
                                            new Message(
                                                    BatchMetadata.parse(meta),
                                                    root.getRowCount(),
                                                    values));
                                }
                            } catch (Throwable t) {
                                error = t;
                            } finally {
                                messages.add(END);
                            }
                        },
                        "stream-recorder");
        reader.setDaemon(true);
        reader.start();
    }

    static FlightInfo info(FlightClient client, String sql, String... headers) {
        return client.getInfo(FlightSqlCommands.statementQuery(sql), options(headers));
    }

    static HeaderCallOption options(String... headers) {
        CallHeaders h = new FlightCallHeaders();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.insert(headers[i], headers[i + 1]);
        }
        return new HeaderCallOption(h);
    }

    static StreamRecorder open(FlightClient client, String sql, String column, String... headers) {
        return open(client, sql, column, null, headers);
    }

    static StreamRecorder open(
            FlightClient client,
            String sql,
            String column,
            Consumer<VectorSchemaRoot> each,
            String... headers) {
        FlightInfo info = info(client, sql, headers);
        FlightStream stream =
                client.getStream(info.getEndpoints().get(0).getTicket(), options(headers));
        return new StreamRecorder(stream, column, each);
    }

    static String[] streaming() {
        return new String[] {AmpHeaders.STREAM, "true"};
    }

    /** The next message, failing after the timeout. */
    Message next() throws InterruptedException {
        Message m = messages.poll(20, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("No stream message within 20 s");
        }
        return m;
    }

    /** Data batches up to and including the next watermark; the watermark last. */
    List<Message> untilWatermark() throws InterruptedException {
        List<Message> out = new ArrayList<>();
        Message m;
        do {
            m = next();
            if (m == END) {
                throw new AssertionError("Stream ended early: " + out + " " + error);
            }
            out.add(m);
        } while (!m.complete());
        return out;
    }

    /** All messages until the stream ends. */
    List<Message> all() throws InterruptedException {
        List<Message> out = new ArrayList<>();
        for (Message m = next(); m != END; m = next()) {
            out.add(m);
        }
        if (error != null) {
            throw new AssertionError("Stream failed", error);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        stream.cancel("test done", null);
        reader.join(10_000);
        try {
            stream.close();
        } catch (Exception e) {
            // Cancelling a finished stream may complain on close.
        }
    }
}
