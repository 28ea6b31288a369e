package dev.sluice.sources.amp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.AmpSourceOptions;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The raw {@code DoGet} against real Flight servers over gRPC: what it forwards decodes to exactly
 * what Arrow's own {@code FlightStream} reads, for the dev server's batches and for dictionary
 * encoded columns; its errors are Flight's; a cancel ends a waiting read.
 */
@Timeout(60)
class FlightMessageStreamITCase {

    private static final String TOKEN = "t0ken-s3cret";

    private final BufferAllocator allocator = new RootAllocator();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private AmpConnectionConfig config;
    private ManagedChannel channel;
    private FlightClient client;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        allocator.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    /** A dev server with a token, and a channel with a Flight client on it (fields below). */
    private void connectToDevServer(long blocks) throws Exception {
        connectToDevServer(blocks, 1000);
    }

    private void connectToDevServer(long blocks, int microbatchBlocks) throws Exception {
        AmpDevServer server =
                closing(
                        AmpDevServer.builder()
                                .port(0)
                                .adminPort(-1)
                                .blocks(blocks)
                                .txsPerBlock(2)
                                .microbatchBlocks(microbatchBlocks)
                                .authToken(TOKEN)
                                .build()
                                .start());
        config = connection("http://localhost:" + server.flightPort());
        channel = AmpFlightClients.channel(config, allocator);
        client = closing(FlightGrpcUtils.createFlightClient(allocator, channel));
    }

    private AmpConnectionConfig connection(String endpoint) {
        return AmpConnectionConfig.from(
                org.apache.flink.configuration.Configuration.fromMap(
                        Map.of(
                                AmpSourceOptions.ENDPOINT.key(), endpoint,
                                AmpSourceOptions.AUTH_TOKEN.key(), TOKEN)));
    }

    @Test
    void forwardedBatchesDecodeToWhatFlightStreamReads() throws Exception {
        connectToDevServer(2_500);
        for (String table : List.of("blocks", "logs")) {
            String sql = "SELECT * FROM anvil." + table;
            // Up to the head: three 1000-block microbatches, each data and completion.
            int batches = 6;
            List<String> expected = new ArrayList<>();
            try (FlightStream stream = client.getStream(ticket(sql), bearer())) {
                while (expected.size() < batches && stream.next()) {
                    VectorSchemaRoot root = stream.getRoot();
                    expected.add(
                            utf8(bytes(stream.getLatestMetadata()))
                                    + "\n"
                                    + (root.getRowCount() > 0 ? values(root) : "no rows"));
                }
            }
            List<String> forwarded = new ArrayList<>();
            try (FlightMessageStream stream =
                    FlightMessageStream.open(
                            channel, ticket(sql), AmpFlightClients.ticketHeaders(config))) {
                while (forwarded.size() < batches) {
                    FlightMessage message = stream.next();
                    if (message.isBatch()) {
                        forwarded.add(
                                utf8(message.appMetadata())
                                        + "\n"
                                        + (message.rows() > 0
                                                ? decode(message.ipcStream())
                                                : "no rows"));
                    }
                }
            }
            assertThat(forwarded).as(table).hasSize(batches).isEqualTo(expected);
            assertThat(expected.get(0)).as(table).contains("\"ranges_complete\":false");
        }
    }

    /**
     * Megabyte batches are read into the channel's own pooled chunks, and the same few chunks serve
     * the whole stream: none is freed and allocated again per batch (what gRPC's 2 MiB chunks did).
     */
    @Test
    void megabyteBatchesAreReadIntoTheSameFewChunks() throws Exception {
        // 2000 blocks per microbatch: one data batch of ~1.7 MB each; the chain holds 25 of them,
        // so the 20 read never depend on where its last one ends.
        connectToDevServer(50_000, 2_000);
        // The allocator is shared by every channel in this JVM: count what this stream adds.
        Set<PoolChunkMetric> earlier = Collections.newSetFromMap(new IdentityHashMap<>());
        earlier.addAll(directChunks());
        long allocationsBefore = directAllocations();
        Set<PoolChunkMetric> chunks = Collections.newSetFromMap(new IdentityHashMap<>());
        int megabyteBatches = 0;
        try (FlightMessageStream stream =
                FlightMessageStream.open(
                        channel,
                        ticket("SELECT * FROM anvil.blocks"),
                        AmpFlightClients.ticketHeaders(config))) {
            while (megabyteBatches < 20) {
                FlightMessage message = stream.next();
                assertThat(message)
                        .as("stream ended after %d megabyte batches", megabyteBatches)
                        .isNotNull();
                if (message.isBatch() && message.rows() > 0) {
                    assertThat(message.ipcStream().length).isGreaterThan(1 << 20);
                    megabyteBatches++;
                }
                chunks.addAll(directChunks());
            }
        }
        assertThat(directAllocations() - allocationsBefore)
                .as("reads into the channel's own allocator")
                .isGreaterThanOrEqualTo(megabyteBatches);
        chunks.removeAll(earlier);
        assertThat(chunks).as("chunks allocated during the stream").hasSizeLessThanOrEqualTo(2);
    }

    private static long directAllocations() {
        long allocations = 0;
        for (PoolArenaMetric arena : AmpFlightClients.READ_BUFFERS.metric().directArenas()) {
            allocations += arena.numAllocations();
        }
        return allocations;
    }

    private static List<PoolChunkMetric> directChunks() {
        List<PoolChunkMetric> chunks = new ArrayList<>();
        for (PoolArenaMetric arena : AmpFlightClients.READ_BUFFERS.metric().directArenas()) {
            for (PoolChunkListMetric list : arena.chunkLists()) {
                list.forEach(chunks::add);
            }
        }
        return chunks;
    }

    @Test
    void dictionaryEncodedColumnsTravelWithTheirDictionaries() throws Exception {
        Field dictionaryField = new Field("d", FieldType.nullable(new ArrowType.Utf8()), null);
        DictionaryEncoding encoding = new DictionaryEncoding(1L, false, null);
        Schema schema =
                new Schema(
                        List.of(
                                new Field(
                                        "colour",
                                        new FieldType(true, new ArrowType.Int(32, true), encoding),
                                        null)));
        FlightServer server =
                closing(
                        FlightServer.builder(
                                        allocator,
                                        Location.forGrpcInsecure("localhost", 0),
                                        new NoOpFlightProducer() {
                                            @Override
                                            public void getStream(
                                                    CallContext context,
                                                    Ticket ticket,
                                                    ServerStreamListener listener) {
                                                sendColours(
                                                        listener,
                                                        schema,
                                                        dictionaryField,
                                                        encoding);
                                            }
                                        })
                                .build()
                                .start());
        channel =
                AmpFlightClients.channel(
                        connection("http://localhost:" + server.getPort()), allocator);
        closing(FlightGrpcUtils.createFlightClient(allocator, channel));
        List<List<String>> batches = new ArrayList<>();
        try (FlightMessageStream stream =
                FlightMessageStream.open(channel, new Ticket(new byte[] {1}), new Metadata())) {
            for (FlightMessage m = stream.next(); m != null; m = stream.next()) {
                if (m.isBatch()) {
                    batches.add(decodeColours(m.ipcStream()));
                }
            }
        }
        assertThat(batches)
                .containsExactly(List.of("red", "blue", "red"), List.of("green", "blue"));
    }

    @Test
    void doGetWithoutTheTokenIsFlightsUnauthenticated() throws Exception {
        connectToDevServer(10);
        Ticket ticket = ticket("SELECT block_num FROM anvil.blocks");
        try (FlightMessageStream stream =
                FlightMessageStream.open(channel, ticket, new Metadata())) {
            assertThatThrownBy(stream::next)
                    .isInstanceOf(FlightRuntimeException.class)
                    .satisfies(
                            e ->
                                    assertThat(((FlightRuntimeException) e).status().code())
                                            .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        }
    }

    @Test
    void aMessageThatIsNotFlightDataFailsWithWhatIsWrongWithIt() throws Exception {
        // A real gRPC server on DoGet's method name that answers with a truncated FlightData:
        // field data_header announcing 100 bytes, then 3.
        MethodDescriptor<byte[], byte[]> doGet =
                FlightServiceGrpc.getDoGetMethod().toBuilder(RAW, RAW).build();
        ServerCalls.ServerStreamingMethod<byte[], byte[]> truncated =
                (request, response) -> {
                    response.onNext(new byte[] {0x12, 100, 1, 2, 3});
                    response.onCompleted();
                };
        ServerServiceDefinition service =
                ServerServiceDefinition.builder(FlightServiceGrpc.SERVICE_NAME)
                        .addMethod(doGet, ServerCalls.asyncServerStreamingCall(truncated))
                        .build();
        Server server = NettyServerBuilder.forPort(0).addService(service).build().start();
        closeables.add(server::shutdownNow);
        channel =
                AmpFlightClients.channel(
                        connection("http://localhost:" + server.getPort()), allocator);
        closing(FlightGrpcUtils.createFlightClient(allocator, channel));
        try (FlightMessageStream stream =
                FlightMessageStream.open(channel, new Ticket(new byte[] {1}), new Metadata())) {
            assertThatThrownBy(stream::next)
                    .isInstanceOf(FlightRuntimeException.class)
                    .hasMessageContaining("Malformed FlightData message")
                    .satisfies(
                            e ->
                                    assertThat(((FlightRuntimeException) e).status().code())
                                            .isEqualTo(FlightStatusCode.INTERNAL));
        }
    }

    /** Bytes as they are, both ways. */
    private static final MethodDescriptor.Marshaller<byte[]> RAW =
            new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream in) {
                    try {
                        return in.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };

    @Test
    void cancelEndsAReadThatWaitsForTheServer() throws Exception {
        connectToDevServer(10);
        Ticket ticket = ticket("SELECT block_num FROM anvil.blocks");
        FlightMessageStream stream =
                FlightMessageStream.open(channel, ticket, AmpFlightClients.ticketHeaders(config));
        int batches = 0;
        while (batches < 2) {
            // Data and completion of blocks 0..=9; then the server waits for a new block.
            if (stream.next().isBatch()) {
                batches++;
            }
        }
        CompletableFuture<FlightMessage> waiting =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return stream.next();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        stream.cancel("test cancels");
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(FlightRuntimeException.class)
                .hasMessageContaining("CANCELLED");
    }

    private Ticket ticket(String sql) {
        FlightDescriptor descriptor = FlightSqlCommands.statementQuery(sql);
        FlightInfo info = client.getInfo(descriptor, AmpFlightClients.infoHeaders(config, null));
        FlightEndpoint endpoint = info.getEndpoints().get(0);
        return endpoint.getTicket();
    }

    private static HeaderCallOption bearer() {
        FlightCallHeaders headers = new FlightCallHeaders();
        headers.insert("authorization", "Bearer " + TOKEN);
        return new HeaderCallOption(headers);
    }

    private String decode(byte[] ipcStream) throws Exception {
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(ipcStream), allocator)) {
            assertThat(reader.loadNextBatch()).isTrue();
            String tsv = values(reader.getVectorSchemaRoot());
            assertThat(reader.loadNextBatch()).isFalse();
            return tsv;
        }
    }

    private List<String> decodeColours(byte[] ipcStream) throws Exception {
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(ipcStream), allocator)) {
            assertThat(reader.loadNextBatch()).isTrue();
            FieldVector indices = reader.getVectorSchemaRoot().getVector(0);
            Dictionary dictionary =
                    reader.getDictionaryVectors().get(indices.getField().getDictionary().getId());
            List<String> colours = new ArrayList<>();
            try (ValueVector decoded = DictionaryEncoder.decode(indices, dictionary)) {
                for (int i = 0; i < decoded.getValueCount(); i++) {
                    colours.add(String.valueOf(decoded.getObject(i)));
                }
            }
            return colours;
        }
    }

    private void sendColours(
            NoOpFlightProducer.ServerStreamListener listener,
            Schema schema,
            Field dictionaryField,
            DictionaryEncoding encoding) {
        try (VarCharVector values = (VarCharVector) dictionaryField.createVector(allocator);
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            String[] colours = {"red", "green", "blue"};
            for (int i = 0; i < colours.length; i++) {
                values.setSafe(i, colours[i].getBytes(StandardCharsets.UTF_8));
            }
            values.setValueCount(colours.length);
            DictionaryProvider.MapDictionaryProvider provider =
                    new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding));
            listener.start(root, provider);
            IntVector indices = (IntVector) root.getVector(0);
            int[][] batches = {{0, 2, 0}, {1, 2}};
            for (int[] batch : batches) {
                root.allocateNew();
                for (int i = 0; i < batch.length; i++) {
                    indices.setSafe(i, batch[i]);
                }
                root.setRowCount(batch.length);
                listener.putNext();
            }
            listener.completed();
        }
    }

    /** Every value of every row, binary ones by content ({@code contentToTSVString} prints ids). */
    private static String values(VectorSchemaRoot root) {
        StringBuilder out = new StringBuilder();
        for (int row = 0; row < root.getRowCount(); row++) {
            for (FieldVector v : root.getFieldVectors()) {
                Object value = v.getObject(row);
                out.append(value instanceof byte[] ? Arrays.toString((byte[]) value) : value)
                        .append('\t');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static byte[] bytes(ArrowBuf buf) {
        byte[] out = new byte[(int) buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
