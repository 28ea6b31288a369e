package dev.sluice.sources.amp.reader;

import static dev.sluice.sources.amp.testutils.TestRanges.h;
import static dev.sluice.sources.amp.testutils.TestRanges.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpSourceException;
import dev.sluice.sources.amp.AmpSourceOptions;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.enumerator.RemoveStreamsEvent;
import dev.sluice.sources.amp.enumerator.StreamsRemovedEvent;
import dev.sluice.sources.amp.protocol.AmpProtocolException;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.testutils.ScriptedAmpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.arrow.flight.CallStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader against a real Flight server playing exact Amp traces. */
@Timeout(60)
class AmpSourceReaderTest {

    private static final AmpStreamSpec SPEC =
            new AmpStreamSpec("s", "t", "SELECT * FROM \"_/x@latest\".\"t\"");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private ScriptedAmpServer server(ScriptedAmpServer.Script script) throws Exception {
        ScriptedAmpServer server = new ScriptedAmpServer(script);
        closeables.add(server);
        return server;
    }

    private AmpSourceReader reader(String endpoint, AmpSplit split, Configuration extra) {
        Configuration conf = new Configuration();
        conf.set(AmpSourceOptions.ENDPOINT, endpoint);
        conf.set(AmpSourceOptions.RECONNECT_INITIAL_BACKOFF, Duration.ofMillis(20));
        conf.set(AmpSourceOptions.NO_DATA_POLL_INTERVAL, Duration.ofMillis(50));
        conf.addAll(extra);
        AmpSourceReader reader =
                new AmpSourceReader(
                        new TestingReaderContext(), AmpConnectionConfig.from(conf), List.of(SPEC));
        closeables.add(reader);
        reader.start();
        reader.addSplits(List.of(split));
        return reader;
    }

    private AmpSourceReader reader(String endpoint) {
        return reader(endpoint, AmpSplit.fresh(SPEC), new Configuration());
    }

    /** Polls until {@code done} holds for the emitted records (bounded by 20 s). */
    static List<AmpRecord> pollUntil(
            AmpSourceReader reader,
            TestingReaderOutput<AmpRecord> out,
            Predicate<List<AmpRecord>> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.test(out.getEmittedRecords())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out; emitted so far: " + out.getEmittedRecords());
            }
            if (reader.pollNext(out) == InputStatus.NOTHING_AVAILABLE) {
                try {
                    reader.isAvailable().get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // poll again
                }
            }
        }
        return out.getEmittedRecords();
    }

    static Predicate<List<AmpRecord>> count(int n) {
        return records -> records.size() >= n;
    }

    /** Compact form of a record for assertions: D/R/C with block numbers. */
    static String shape(AmpRecord r) {
        switch (r.kind()) {
            case DATA:
                return "D" + r.ranges().get(0).start() + ".." + r.ranges().get(0).end();
            case ROLLBACK:
                return "R" + r.fromBlock();
            default:
                return "C" + r.ranges().get(0).start() + ".." + r.ranges().get(0).end();
        }
    }

    static List<String> shapes(List<AmpRecord> records) {
        return records.stream().map(AmpSourceReaderTest::shape).collect(Collectors.toList());
    }

    @Test
    void rowsPastACompletedRangeOnAnotherForkAreRolledBackBeforeTheReplacement() throws Exception {
        // D(0..10) W(0..10) D(11..15) then the new fork's D*(11..12) W*(11..12).
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            out.data(range("a", 0, 0, 10))
                                    .complete(range("a", 0, 0, 10))
                                    .data(range("a", 0, 11, 15))
                                    .data(range("a", 1, 11, 12, 0))
                                    .complete(range("a", 1, 11, 12, 0))
                                    .idle();
                        });
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        List<AmpRecord> records = pollUntil(reader(server.endpoint()), out, count(6));
        assertThat(shapes(records))
                .containsExactly("D0..10", "C0..10", "D11..15", "R11", "D11..12", "C11..12");
        assertThat(records.get(3).network()).isEqualTo("a");
        assertThat(records.get(0).rowCount()).isEqualTo(11);
        assertThat(records.get(0).stream()).isEqualTo("s");
        assertThat(records.get(0).table()).isEqualTo("t");
    }

    @Test
    void aRemovedStreamStopsLeavesTheStateAndIsConfirmedToTheEnumerator() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) ->
                                out.data(range("a", 0, 0, 4))
                                        .complete(range("a", 0, 0, 4))
                                        .data(range("a", 0, 5, 9))
                                        .idle());
        Configuration conf = new Configuration();
        conf.set(AmpSourceOptions.ENDPOINT, server.endpoint());
        TestingReaderContext context = new TestingReaderContext();
        // Discovered streams: the split's own spec counts, the configured list is not consulted.
        AmpStreamSpec added = new AmpStreamSpec("added#1", "added", SPEC.sql());
        AmpSourceReader reader =
                new AmpSourceReader(context, AmpConnectionConfig.from(conf), List.of(), true);
        closeables.add(reader);
        reader.start();
        reader.addSplits(List.of(AmpSplit.fresh(added)));
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        pollUntil(reader, out, count(3));
        assertThat(reader.snapshotState(1))
                .extracting(AmpSplit::splitId)
                .containsExactly("added#1");

        reader.handleSourceEvents(new RemoveStreamsEvent(List.of("added#1")));
        assertThat(reader.snapshotState(2)).isEmpty();
        assertThat(context.getSentEvents())
                .containsExactly(new StreamsRemovedEvent(List.of("added#1")));
        int emitted = out.getEmittedRecords().size();
        for (int i = 0; i < 20; i++) {
            reader.pollNext(out);
        }
        assertThat(out.getEmittedRecords()).hasSize(emitted);
    }

    @Test
    void forkInsideTheLastCompletedRangeRollsBackFromTheForkBlock() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            out.complete(range("anvil", 0, 0, 0))
                                    .complete(range("anvil", 0, 1, 2))
                                    .data(range("anvil", 1, 2, 3, 0))
                                    .complete(range("anvil", 1, 2, 3, 0))
                                    .idle();
                        });
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        assertThat(shapes(pollUntil(reader(server.endpoint()), out, count(5))))
                .containsExactly("C0..0", "C1..2", "R2", "D2..3", "C2..3");
    }

    @Test
    void restoreRewindsTheCutMicrobatchAndResumesAfterTheLastCompletedRange() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            out.data(range("a", 0, 0, 4))
                                    .complete(range("a", 0, 0, 4))
                                    .data(range("a", 0, 5, 9))
                                    .idle();
                        });
        AmpSourceReader first = reader(server.endpoint());
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        pollUntil(first, out, count(3));
        AmpSplit checkpointed = first.snapshotState(1).get(0);
        assertThat(checkpointed.cursor().blocks()).containsEntry("a", new BlockRef(4, h(0, 4)));
        assertThat(checkpointed.partial()).containsEntry("a", 5L);
        first.close();
        closeables.remove(first);

        server.setScript(
                (call, o) -> {
                    if (call.resume() == null || !call.resume().contains("\"number\":4")) {
                        o.fail(
                                CallStatus.INVALID_ARGUMENT.withDescription(
                                        "no cursor: " + call.resume()));
                        return;
                    }
                    o.data(range("a", 0, 5, 9)).complete(range("a", 0, 5, 9)).idle();
                });
        AmpSourceReader restored = reader(server.endpoint(), checkpointed, new Configuration());
        TestingReaderOutput<AmpRecord> out2 = new TestingReaderOutput<>();
        assertThat(shapes(pollUntil(restored, out2, count(3))))
                .containsExactly("R5", "D5..9", "C5..9");
        assertThat(restored.snapshotState(2).get(0).partial()).isEmpty();
        assertThat(server.calls().get(server.calls().size() - 1).resume())
                .isEqualTo(new ResumeCursor(Map.of("a", new BlockRef(4, h(0, 4)))).toHeader());
    }

    @Test
    void checkpointBeforeTheRewindIsEmittedStillRecordsIt() throws Exception {
        ScriptedAmpServer server = server((call, out) -> out.idle());
        AmpSplit cut =
                new AmpSplit(
                        SPEC,
                        new ResumeCursor(Map.of("a", new BlockRef(4, h(0, 4)))),
                        Map.of("a", 5L));
        AmpSourceReader reader = reader(server.endpoint(), cut, new Configuration());
        assertThat(reader.snapshotState(1).get(0).partial()).containsEntry("a", 5L);
    }

    @Test
    void lostConnectionIsResumedAndThePartialMicrobatchRolledBack() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            if (call.number == 1) {
                                out.data(range("a", 0, 0, 4))
                                        .complete(range("a", 0, 0, 4))
                                        .data(range("a", 0, 5, 9))
                                        .fail(
                                                CallStatus.UNAVAILABLE.withDescription(
                                                        "node restarting"));
                            } else {
                                out.data(range("a", 0, 5, 9)).complete(range("a", 0, 5, 9)).idle();
                            }
                        });
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        assertThat(shapes(pollUntil(reader(server.endpoint()), out, count(6))))
                .containsExactly("D0..4", "C0..4", "D5..9", "R5", "D5..9", "C5..9");
        assertThat(server.calls()).hasSize(2);
        assertThat(server.calls().get(1).resume()).contains("\"number\":4");
    }

    @Test
    void streamEndedByTheServerIsResumedToo() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            if (call.number == 1) {
                                out.complete(range("a", 0, 0, 4)).data(range("a", 0, 5, 6)).end();
                            } else {
                                out.data(range("a", 0, 5, 6)).complete(range("a", 0, 5, 6)).idle();
                            }
                        });
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        assertThat(shapes(pollUntil(reader(server.endpoint()), out, count(5))))
                .containsExactly("C0..4", "D5..6", "R5", "D5..6", "C5..6");
    }

    @Test
    void silentMicrobatchPastTheKeepAliveTimeoutIsReconnected() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            if (call.number == 1) {
                                out.data(range("a", 0, 0, 3)).idle();
                            } else {
                                out.data(range("a", 0, 0, 3)).complete(range("a", 0, 0, 3)).idle();
                            }
                        });
        Configuration conf = new Configuration();
        conf.set(AmpSourceOptions.KEEP_ALIVE_TIMEOUT, Duration.ofMillis(1500));
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        assertThat(
                        shapes(
                                pollUntil(
                                        reader(server.endpoint(), AmpSplit.fresh(SPEC), conf),
                                        out,
                                        count(4))))
                .containsExactly("D0..3", "R0", "D0..3", "C0..3");
    }

    @Test
    void datasetWithNoDataYetIsAskedAgain() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) -> {
                            if (call.number < 3) {
                                out.raw("{\"ranges\":[],\"ranges_complete\":true}", 0).end();
                            } else {
                                out.data(range("a", 0, 0, 0)).complete(range("a", 0, 0, 0)).idle();
                            }
                        });
        TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
        assertThat(shapes(pollUntil(reader(server.endpoint()), out, count(2))))
                .containsExactly("D0..0", "C0..0");
        assertThat(server.calls()).hasSize(3);
    }

    @Test
    void refusedRequestFailsFastWithTheServersMessage() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) ->
                                out.fail(CallStatus.UNAUTHENTICATED.withDescription("bad token")));
        AmpSourceReader reader = reader(server.endpoint());
        assertThatThrownBy(() -> pollUntil(reader, new TestingReaderOutput<>(), r -> false))
                .isInstanceOf(AmpSourceException.class)
                .hasMessageContaining("stream 's'")
                .hasMessageContaining("UNAUTHENTICATED: bad token")
                .hasMessageContaining("auth token");
        assertThat(server.calls()).hasSize(1);
    }

    @Test
    void connectionThatCannotBeBuiltFailsTheReaderWithTheReason() throws Exception {
        Path ca = Files.createTempFile("not-a-ca", ".pem");
        try {
            Files.writeString(ca, "this is not PEM");
            Configuration conf = new Configuration();
            conf.set(AmpSourceOptions.TLS_CA_FILE, ca.toString());
            AmpSourceReader reader = reader("https://localhost:1", AmpSplit.fresh(SPEC), conf);
            assertThatThrownBy(() -> pollUntil(reader, new TestingReaderOutput<>(), r -> false))
                    .hasStackTraceContaining("The configured CA certificates are not valid PEM");
        } finally {
            Files.delete(ca);
        }
    }

    @Test
    void serverThatStaysAwayFailsAfterTheReconnectBudget() throws Exception {
        ScriptedAmpServer server =
                server((call, out) -> out.fail(CallStatus.UNAVAILABLE.withDescription("down")));
        Configuration conf = new Configuration();
        conf.set(AmpSourceOptions.RECONNECT_TIMEOUT, Duration.ofMillis(800));
        conf.set(AmpSourceOptions.RECONNECT_MAX_BACKOFF, Duration.ofMillis(100));
        AmpSourceReader reader = reader(server.endpoint(), AmpSplit.fresh(SPEC), conf);
        assertThatThrownBy(() -> pollUntil(reader, new TestingReaderOutput<>(), r -> false))
                .isInstanceOf(AmpSourceException.class)
                .hasMessageContaining("could not reconnect")
                .hasMessageContaining("UNAVAILABLE: down");
        assertThat(server.calls().size()).isGreaterThan(2);
    }

    @Test
    void protocolViolationFailsNamingStreamAndRanges() throws Exception {
        ScriptedAmpServer server =
                server(
                        (call, out) ->
                                out.complete(range("a", 0, 0, 2)).data(range("a", 0, 5, 6)).idle());
        AmpSourceReader reader = reader(server.endpoint());
        assertThatThrownBy(() -> pollUntil(reader, new TestingReaderOutput<>(), r -> false))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("stream 's'")
                .hasMessageContaining("gap")
                .hasMessageContaining("3..=4 are missing");
    }

    @Test
    void sendsStreamingAndAuthHeadersButNoCursorOnAFreshStream() throws Exception {
        ScriptedAmpServer server = server((call, out) -> out.idle());
        Configuration conf = new Configuration();
        conf.set(AmpSourceOptions.AUTH_TOKEN, "s3cret");
        reader(server.endpoint(), AmpSplit.fresh(SPEC), conf);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.calls().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ScriptedAmpServer.Call call = server.calls().get(0);
        assertThat(call.sql).isEqualTo(SPEC.sql());
        assertThat(call.headers).containsEntry("amp-stream", "true");
        assertThat(call.headers).containsEntry("authorization", "Bearer s3cret");
        assertThat(call.resume()).isNull();
    }
}
