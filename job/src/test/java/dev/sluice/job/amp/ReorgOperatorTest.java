package dev.sluice.job.amp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.ReplaceTableRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The golden traces of amp-protocol.md §8 through the keyed reorg operator, restored mid-way. */
class ReorgOperatorTest {

    static final TableRef LOGS = new TableRef("public", "logs");
    static final TableRef OTHER = new TableRef("public", "other");
    static final int RETENTION = 64;

    private final List<
                    KeyedOneInputStreamOperatorTestHarness<String, AmpRecord, PostgresSinkRecord>>
            harnesses = new ArrayList<>();
    private KeyedOneInputStreamOperatorTestHarness<String, AmpRecord, PostgresSinkRecord> harness;
    private long checkpoint;
    private boolean discovered;

    static String h(int fork, long n) {
        return String.format("0x%016x%048x", fork + 1, n);
    }

    static BlockRange range(String net, int fork, long start, long end) {
        return new BlockRange(
                net,
                start,
                end,
                h(fork, end),
                start == 0 ? BlockHashes.ZERO : h(fork, start - 1),
                null);
    }

    static AmpRecord data(String stream, BlockRange r) {
        return AmpRecord.data(stream, "logs", List.of(r), new byte[] {(byte) r.start()}, 1);
    }

    static AmpRecord complete(String stream, BlockRange r) {
        return AmpRecord.complete(stream, "logs", List.of(r));
    }

    static AmpRecord rollback(String stream, String net, long from) {
        return AmpRecord.rollback(stream, "logs", net, from);
    }

    private void open(OperatorSubtaskState restored) throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                discovered
                                        ? ReorgOperator.forDiscoveredStreams("public", RETENTION)
                                        : new ReorgOperator(
                                                Map.of("s", LOGS, "o", OTHER), RETENTION)),
                        AmpRecord::stream,
                        Types.STRING);
        harness.setup(PostgresSinkRecord.typeInfo().createSerializer(new SerializerConfigImpl()));
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        harnesses.add(harness);
    }

    /** Snapshots, closes, and continues in a fresh operator restored from the snapshot. */
    private void restart() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(++checkpoint, checkpoint);
        harness.close();
        open(snapshot);
    }

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private List<String> feed(AmpRecord... records) throws Exception {
        harness.getOutput().clear();
        for (AmpRecord r : records) {
            harness.processElement(r, 0);
        }
        List<String> out = new ArrayList<>();
        for (PostgresSinkRecord r : harness.extractOutputValues()) {
            if (r instanceof ArrowBatchRecord) {
                ArrowBatchRecord b = (ArrowBatchRecord) r;
                out.add("W" + b.table().table() + ":" + b.arrowIpc()[0] + "@" + b.network());
            } else if (r instanceof ReplaceTableRecord) {
                out.add("N" + r.table().table());
            } else {
                RollbackRecord rb = (RollbackRecord) r;
                out.add("D" + rb.table().table() + ">=" + rb.fromBlock() + "@" + rb.network());
            }
        }
        return out;
    }

    @Test
    void aDiscoveredStreamReplacesItsTableOnceRightBeforeItsFirstRow() throws Exception {
        discovered = true;
        open(null);
        // A completed empty range and a reorg before any row: nothing of the stream to delete.
        assertThat(feed(complete("logs#2", range("a", 0, 0, 3)), rollback("logs#2", "a", 2)))
                .isEmpty();
        restart();
        assertThat(feed(data("logs#2", range("a", 1, 2, 5)), data("logs#2", range("a", 1, 2, 5))))
                .containsExactly("Nlogs", "Wlogs:2@a", "Wlogs:2@a");
        restart();
        assertThat(feed(rollback("logs#2", "a", 4), data("logs#2", range("a", 2, 4, 6))))
                .containsExactly("Dlogs>=4@a", "Wlogs:4@a");
        // Another stream of the same table (its next generation) replaces it again.
        assertThat(feed(data("logs#3", range("a", 0, 0, 1)))).containsExactly("Nlogs", "Wlogs:0@a");
    }

    @Test
    void stateWrittenBeforeReplacementsExistedCountsAsReady() throws Exception {
        ReorgState legacy = ReorgState.fromBytes(new byte[] {1, 0, 0, 0, 0, 0});
        assertThat(legacy.targetReady).isTrue();
        assertThat(ReorgState.fromBytes(null).targetReady).isFalse();
        ReorgState fresh = new ReorgState();
        assertThat(ReorgState.fromBytes(fresh.toBytes()).targetReady).isFalse();
        fresh.targetReady = true;
        assertThat(ReorgState.fromBytes(fresh.toBytes()).targetReady).isTrue();
    }

    @Test
    void rowsPastTheForkAreDeletedBeforeTheReplacementIsWritten() throws Exception {
        open(null);
        assertThat(feed(data("s", range("a", 0, 0, 10)), complete("s", range("a", 0, 0, 10))))
                .containsExactly("Wlogs:0@a");
        restart();
        assertThat(feed(data("s", range("a", 0, 11, 15)))).containsExactly("Wlogs:11@a");
        restart();
        assertThat(
                        feed(
                                rollback("s", "a", 11),
                                data("s", range("a", 1, 11, 12)),
                                complete("s", range("a", 1, 11, 12))))
                .containsExactly("Dlogs>=11@a", "Wlogs:11@a");
    }

    @Test
    void onlyTheReorgedNetworkIsRolledBack() throws Exception {
        open(null);
        feed(
                data("s", range("eth", 0, 0, 5)),
                complete("s", range("eth", 0, 0, 5)),
                data("s", range("polygon", 0, 0, 5)),
                complete("s", range("polygon", 0, 0, 5)));
        restart();
        assertThat(feed(rollback("s", "eth", 3), data("s", range("eth", 1, 3, 6))))
                .containsExactly("Dlogs>=3@eth", "Wlogs:3@eth");
    }

    @Test
    void streamsAreIndependent() throws Exception {
        open(null);
        assertThat(
                        feed(
                                data("s", range("a", 0, 0, 1)),
                                data("o", range("a", 0, 0, 1)),
                                rollback("o", "a", 0)))
                .containsExactly("Wlogs:0@a", "Wother:0@a", "Dother>=0@a");
    }

    @Test
    void reorgDeeperThanTheWindowDeletesTheForkThenStopsTheStream() throws Exception {
        open(null);
        for (long b = 0; b < 200; b += 10) {
            feed(data("s", range("a", 0, b, b + 9)), complete("s", range("a", 0, b, b + 9)));
        }
        feed(data("o", range("a", 0, 0, 9)), complete("o", range("a", 0, 0, 9)));
        restart();
        // Within the window (head 199, retention 64): a normal rollback.
        assertThat(feed(rollback("s", "a", 150))).containsExactly("Dlogs>=150@a");
        feed(data("s", range("a", 1, 150, 159)), complete("s", range("a", 1, 150, 159)));
        // Depth 160 - 20 + 1 = 140 > 64: delete, then stop.
        assertThat(feed(rollback("s", "a", 20))).containsExactly("Dlogs>=20@a");
        restart();
        assertThat(feed(data("s", range("a", 2, 20, 30)), complete("s", range("a", 2, 20, 30))))
                .as("a stopped stream writes nothing, also after a restore")
                .isEmpty();
        assertThat(feed(data("o", range("a", 0, 10, 19))))
                .as("other streams go on")
                .containsExactly("Wother:10@a");
    }

    @Test
    void retentionWindowSlidesWithTheHead() throws Exception {
        open(null);
        for (long b = 0; b < 1000; b++) {
            feed(complete("s", range("a", 0, b, b)));
        }
        restart();
        // Head 999: depth 64 is allowed; depth 65 is not.
        assertThat(feed(rollback("s", "a", 936))).containsExactly("Dlogs>=936@a");
        feed(complete("s", range("a", 1, 936, 999)));
        assertThat(feed(rollback("s", "a", 935), data("s", range("a", 2, 935, 935))))
                .containsExactly("Dlogs>=935@a");
    }
}
