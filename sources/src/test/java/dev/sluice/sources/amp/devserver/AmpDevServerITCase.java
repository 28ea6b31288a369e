package dev.sluice.sources.amp.devserver;

import static dev.sluice.sources.amp.devserver.StreamRecorder.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.devserver.StreamRecorder.Message;
import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.RangeValidator;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AmpDevServerITCase {

    private static final String BLOCKS = "SELECT block_num, hash FROM anvil.blocks";

    private final BufferAllocator allocator = new RootAllocator();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        allocator.close();
    }

    private AmpDevServer server(Consumer<AmpDevServerBuilder> config) throws Exception {
        AmpDevServerBuilder b = AmpDevServer.builder().port(0).adminPort(0);
        config.accept(b);
        AmpDevServer s = b.build().start();
        closeables.add(s);
        return s;
    }

    private FlightClient client(AmpDevServer server) {
        FlightClient c = FlightClient.builder(allocator, server.flightLocation()).build();
        closeables.add(c);
        return c;
    }

    private StreamRecorder open(FlightClient c, String sql, String column, String... headers) {
        StreamRecorder r = StreamRecorder.open(c, sql, column, headers);
        closeables.add(r);
        return r;
    }

    private static BlockRange watermark(List<Message> microbatch) {
        return microbatch.get(microbatch.size() - 1).metadata.ranges().get(0);
    }

    private static String span(BlockRange r) {
        return r.start() + "..=" + r.end();
    }

    @Test
    void forkInsideTheLastCompletedRange() throws Exception {
        AmpDevServer s = server(b -> b.blocks(1).headMicrobatchBlocks(2));
        StreamRecorder r = open(client(s), BLOCKS + " SETTINGS stream = true", "block_num");
        assertThat(span(watermark(r.untilWatermark()))).isEqualTo("0..=0");
        s.mine(2);
        BlockRange second = watermark(r.untilWatermark());
        assertThat(span(second)).isEqualTo("1..=2");
        String oldHash2 = s.head().hash();
        s.reorg(1, 1);
        List<Message> third = r.untilWatermark();
        BlockRange reorged = watermark(third);
        assertThat(span(reorged)).isEqualTo("2..=3");
        assertThat(reorged.prevHash()).isEqualTo(s.blocks(1, 1).get(0).hash());
        assertThat(reorged.prevHash()).isNotEqualTo(oldHash2);
        assertThat(third.get(0).values).containsExactly(2L, 3L);
    }

    @Test
    void singleBlockMicrobatchesThenReorg() throws Exception {
        AmpDevServer s = server(b -> b.blocks(1));
        StreamRecorder r = open(client(s), BLOCKS, "block_num", streaming());
        RangeValidator validator = new RangeValidator("test");
        List<String> spans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Message> mb = r.untilWatermark();
            mb.forEach(m -> validator.validate(m.metadata));
            spans.add(span(watermark(mb)));
            if (i < 2) {
                s.mine(1);
            }
        }
        s.reorg(1, 1);
        // At the head one block per microbatch by default: 2..=2 of the new fork, then 3..=3.
        List<Message> mb = r.untilWatermark();
        mb.forEach(m -> validator.validate(m.metadata));
        spans.add(span(watermark(mb)));
        assertThat(spans).containsExactly("0..=0", "1..=1", "2..=2", "2..=2");
        assertThat(watermark(mb).hash()).isEqualTo(s.blocks(2, 2).get(0).hash());
    }

    @Test
    void deepReorgReEmitsFromTheForkBlock() throws Exception {
        AmpDevServer s = server(b -> b.blocks(7).headMicrobatchBlocks(100));
        StreamRecorder r = open(client(s), BLOCKS, "block_num", streaming());
        assertThat(span(watermark(r.untilWatermark()))).isEqualTo("0..=6");
        s.reorg(5, 2);
        List<Message> mb = r.untilWatermark();
        assertThat(span(watermark(mb))).isEqualTo("2..=8");
        assertThat(mb.get(0).values).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(watermark(mb).prevHash()).isEqualTo(s.blocks(1, 1).get(0).hash());
    }

    @Test
    void resumeFromCanonicalAndReorgedAwayCursors() throws Exception {
        AmpDevServer s = server(b -> b.blocks(3).headMicrobatchBlocks(100));
        FlightClient c = client(s);
        BlockRef one = new BlockRef(1, s.blocks(1, 1).get(0).hash());
        String cursor = new ResumeCursor(Map.of("anvil", one)).toHeader();
        StreamRecorder r =
                open(c, BLOCKS, "block_num", AmpHeaders.STREAM, "true", AmpHeaders.RESUME, cursor);
        List<Message> mb = r.untilWatermark();
        assertThat(span(watermark(mb))).isEqualTo("2..=2");
        assertThat(watermark(mb).prevHash()).isEqualTo(one.hash());
        assertThat(mb.get(0).values).containsExactly(2L);

        BlockRef two = new BlockRef(2, s.blocks(2, 2).get(0).hash());
        s.reorg(2, 1);
        String old = new ResumeCursor(Map.of("anvil", two)).toHeader();
        StreamRecorder resumed =
                open(c, BLOCKS, "block_num", AmpHeaders.STREAM, "true", AmpHeaders.RESUME, old);
        List<Message> again = resumed.untilWatermark();
        assertThat(span(watermark(again))).isEqualTo("1..=3");
        assertThat(again.get(0).values).containsExactly(1L, 2L, 3L);
        assertThat(watermark(again).prevHash()).isEqualTo(s.blocks(0, 0).get(0).hash());
    }

    @Test
    void headersAndSettingsDecideStreaming() throws Exception {
        AmpDevServer s = server(b -> b.blocks(2));
        FlightClient c = client(s);
        // No header, no SETTINGS: a snapshot that ends.
        assertThat(open(c, BLOCKS, null).all())
                .extracting(Message::toString)
                .containsExactly("D0..=1(2)", "W0..=1(0)");
        // amp-stream: false overrides SETTINGS stream = true.
        assertThat(
                        open(
                                        c,
                                        BLOCKS + " SETTINGS stream = true",
                                        null,
                                        AmpHeaders.STREAM,
                                        "FALSE")
                                .all())
                .hasSize(2);
        // An unknown header value is ignored: SETTINGS decides (streams, so no END after W).
        StreamRecorder st =
                open(c, BLOCKS + " SETTINGS stream = true", null, AmpHeaders.STREAM, "maybe");
        assertThat(st.untilWatermark())
                .extracting(Message::toString)
                .containsExactly("D0..=1(2)", "W0..=1(0)");
        assertThat(st.messages.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
        // An unparsable amp-resume is silently ignored: the stream starts at genesis.
        StreamRecorder bad =
                open(c, BLOCKS, null, AmpHeaders.STREAM, "1", AmpHeaders.RESUME, "{oops");
        assertThat(bad.untilWatermark().get(0).range()).isEqualTo("0..=1");
    }

    @Test
    void emptyChainStreamEnds() throws Exception {
        AmpDevServer s = server(b -> b.blocks(0));
        List<Message> all = open(client(s), BLOCKS, null, streaming()).all();
        assertThat(all).hasSize(1);
        assertThat(all.get(0).complete()).isTrue();
        assertThat(all.get(0).metadata.ranges()).isEmpty();
    }

    @Test
    void keepAlivesAndSlicing() throws Exception {
        AmpDevServer s =
                server(
                        b ->
                                b.blocks(50)
                                        .txsPerBlock(10)
                                        .logsPerTx(10)
                                        .batchBytes(64 * 1024)
                                        .keepAlive(java.time.Duration.ZERO));
        List<Message> mb =
                open(client(s), "SELECT * FROM anvil.logs", null, streaming()).untilWatermark();
        long data = mb.stream().filter(m -> m.rows > 0).count();
        long keepAlives = mb.stream().filter(m -> m.rows == 0 && !m.complete()).count();
        assertThat(data).isGreaterThan(10);
        assertThat(keepAlives).isGreaterThanOrEqualTo(data);
        assertThat(mb.stream().mapToInt(m -> m.rows).sum()).isEqualTo(5000);
        assertThat(mb).allSatisfy(m -> assertThat(m.range()).isEqualTo("0..=49"));
        assertThat(mb.stream().filter(Message::complete)).hasSize(1);
    }

    @Test
    void authentication() throws Exception {
        AmpDevServer s = server(b -> b.authToken("s3cret"));
        FlightClient c = client(s);
        assertThatThrownBy(() -> StreamRecorder.info(c, BLOCKS))
                .isInstanceOfSatisfying(
                        FlightRuntimeException.class,
                        e ->
                                assertThat(e.status().code())
                                        .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> StreamRecorder.info(c, BLOCKS, "authorization", "Bearer nope"))
                .isInstanceOfSatisfying(
                        FlightRuntimeException.class,
                        e ->
                                assertThat(e.status().code())
                                        .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        assertThat(open(c, BLOCKS, null, "authorization", "Bearer s3cret").all()).hasSize(2);
    }

    @Test
    void rejectedRequests() throws Exception {
        AmpDevServer s = server(b -> b.dataset("_/anvil@latest"));
        FlightClient c = client(s);
        assertStatus(
                () -> c.getInfo(org.apache.arrow.flight.FlightDescriptor.path("blocks")),
                FlightStatusCode.INVALID_ARGUMENT,
                "PATH");
        assertStatus(
                () ->
                        c.getInfo(
                                org.apache.arrow.flight.FlightDescriptor.command(
                                        "SELECT * FROM anvil.blocks"
                                                .getBytes(
                                                        java.nio.charset.StandardCharsets.UTF_8))),
                FlightStatusCode.INVALID_ARGUMENT,
                "");
        assertStatus(
                () ->
                        StreamRecorder.info(
                                c, "SELECT * FROM anvil.blocks ORDER BY block_num", streaming()),
                FlightStatusCode.INVALID_ARGUMENT,
                BoundQuery.NON_INCREMENTAL);
        assertStatus(
                () ->
                        StreamRecorder.info(
                                c, "SELECT count(*) FROM anvil.logs SETTINGS stream = true"),
                FlightStatusCode.INVALID_ARGUMENT,
                BoundQuery.NON_INCREMENTAL);
        assertStatus(
                () -> StreamRecorder.info(c, "SELECT * FROM anvil.blocks LIMIT 3", streaming()),
                FlightStatusCode.INVALID_ARGUMENT,
                BoundQuery.NON_INCREMENTAL);
        assertStatus(
                () -> StreamRecorder.info(c, "SELECT * FROM anvil.uncles"),
                FlightStatusCode.NOT_FOUND,
                "uncles");
        assertStatus(
                () -> StreamRecorder.info(c, "SELECT * FROM \"_/other@latest\".blocks"),
                FlightStatusCode.NOT_FOUND,
                "other");
        assertStatus(
                () -> StreamRecorder.info(c, "SELECT nope FROM anvil.blocks"),
                FlightStatusCode.INVALID_ARGUMENT,
                "nope");
        assertStatus(
                () -> StreamRecorder.info(c, "SELEKT * FROM anvil.blocks"),
                FlightStatusCode.INVALID_ARGUMENT,
                "SELECT");
        assertStatus(
                () -> StreamRecorder.info(c, "SELECT * FROM anvil.blocks WHERE a = 1 OR b = 2"),
                FlightStatusCode.INVALID_ARGUMENT,
                "");
        assertStatus(() -> c.handshake(), FlightStatusCode.UNIMPLEMENTED, "");
        assertStatus(
                () -> c.listFlights(org.apache.arrow.flight.Criteria.ALL).forEach(f -> {}),
                FlightStatusCode.UNIMPLEMENTED,
                "");
        // Every accepted reference form of the served dataset works.
        for (String ref :
                List.of(
                        "anvil",
                        "\"anvil\"",
                        "\"_/anvil@latest\"",
                        "\"anvil@latest\"",
                        "\"_/anvil\"")) {
            assertThat(open(c, "SELECT block_num FROM " + ref + ".blocks LIMIT 2", null).all())
                    .extracting(Message::toString)
                    .containsExactly("D0..=99(2)", "W0..=99(0)");
        }
    }

    private static void assertStatus(Runnable call, FlightStatusCode code, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        FlightRuntimeException.class,
                        e -> {
                            assertThat(e.status().code()).isEqualTo(code);
                            assertThat(e.getMessage()).contains(message);
                        });
    }

    @Test
    void filtersSelectRealSubsets() throws Exception {
        AmpDevServer s = server(b -> b.blocks(20));
        FlightClient c = client(s);
        String topic = BlockHashes.toHex(EvmTopics.topic("Transfer(address,address,uint256)"));
        List<Object> topics = new ArrayList<>();
        open(c, "SELECT topic0 FROM anvil.logs", "topic0")
                .all()
                .forEach(m -> topics.addAll(m.values));
        long transfers =
                topics.stream()
                        .filter(t -> t != null && BlockHashes.toHex((byte[]) t).equals(topic))
                        .count();
        assertThat(topics).hasSize(160).containsNull();
        assertThat(transfers).isBetween(20L, 140L);
        int rows =
                open(
                                c,
                                "SELECT log_index FROM anvil.logs WHERE topic0 ="
                                    + " evm_topic('Transfer(address indexed from, address indexed"
                                    + " to, uint256 value)') AND block_num >= 0",
                                null)
                        .all()
                        .stream()
                        .mapToInt(m -> m.rows)
                        .sum();
        assertThat((long) rows).isEqualTo(transfers);
        int nulls =
                open(c, "SELECT log_index FROM anvil.logs WHERE topic0 IS NULL", null)
                        .all()
                        .stream()
                        .mapToInt(m -> m.rows)
                        .sum();
        assertThat((long) nulls).isEqualTo(topics.stream().filter(t -> t == null).count());
        int some =
                open(
                                c,
                                "SELECT block_num FROM anvil.blocks WHERE block_num > 4 AND"
                                        + " block_num <= 7",
                                null)
                        .all()
                        .stream()
                        .mapToInt(m -> m.rows)
                        .sum();
        assertThat(some).isEqualTo(3);
    }

    @Test
    void concurrentClientsAndCancellation() throws Exception {
        AmpDevServer s = server(b -> b.blocks(200).txsPerBlock(20).logsPerTx(5));
        FlightClient c = client(s);
        List<StreamRecorder> streams = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            streams.add(open(c, "SELECT _block_num, log_index FROM anvil.logs", null, streaming()));
        }
        for (StreamRecorder r : streams) {
            assertThat(r.untilWatermark().stream().mapToInt(m -> m.rows).sum()).isEqualTo(20_000);
        }
        assertThat(s.activeStreams()).isEqualTo(8);
        for (StreamRecorder r : streams) {
            r.close();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (s.activeStreams() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(s.activeStreams()).isZero();
    }
}
