package dev.sluice.sources.amp.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.split.AmpSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams discovered while running: added ones are assigned, removed ones stopped on every reader,
 * and a new stream of a removed stream's table waits for the readers' confirmations and a completed
 * checkpoint after them — also across a restore from the enumerator's state.
 */
class AmpSplitEnumeratorDiscoveryTest {

    static final AmpStreamSpec BLOCKS_1 = spec("blocks", 1);
    static final AmpStreamSpec TXS_1 = spec("txs", 1);
    static final AmpStreamSpec TXS_2 = spec("txs", 2);
    static final AmpStreamSpec LOGS_1 = spec("logs", 1);

    /** What the discovery answers next; an exception to throw when set to null. */
    static final AtomicReference<List<AmpStreamSpec>> DESIRED = new AtomicReference<>();

    TestingSplitEnumeratorContext<AmpSplit> ctx;

    static AmpStreamSpec spec(String table, int generation) {
        return new AmpStreamSpec(
                table + "#" + generation, table, "SELECT " + generation + " FROM x." + table);
    }

    @BeforeEach
    void setUp() {
        ctx = new TestingSplitEnumeratorContext<>(2);
        DESIRED.set(List.of(BLOCKS_1, TXS_1));
    }

    AmpSplitEnumerator enumerator(AmpEnumState restored) {
        return new AmpSplitEnumerator(
                ctx,
                List.of(BLOCKS_1, TXS_1),
                restored,
                () -> {
                    List<AmpStreamSpec> d = DESIRED.get();
                    if (d == null) {
                        throw new IllegalStateException("manifest unreadable");
                    }
                    return d;
                },
                Duration.ofSeconds(1));
    }

    void discover() {
        ctx.getExecutorService().triggerPeriodicScheduledTasks();
        ctx.triggerAllActions();
    }

    void register(AmpSplitEnumerator e, int... subtasks) {
        for (int s : subtasks) {
            ctx.registerReader(s, "h");
            e.addReader(s);
        }
    }

    Set<String> assigned() {
        return ctx.getSplitAssignments().values().stream()
                .flatMap(a -> a.getAssignedSplits().stream())
                .map(AmpSplit::splitId)
                .collect(Collectors.toSet());
    }

    List<SourceEvent> events(int subtask) {
        return ctx.getSentEvents().getOrDefault(subtask, new ArrayList<>());
    }

    @Test
    void anAddedStreamIsAssignedWhileTheOthersKeepRunning() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();
        assertThat(assigned()).containsExactlyInAnyOrder("blocks#1", "txs#1");

        DESIRED.set(List.of(BLOCKS_1, TXS_1, LOGS_1));
        discover();
        assertThat(assigned()).containsExactlyInAnyOrder("blocks#1", "txs#1", "logs#1");
        assertThat(events(0)).isEmpty();
        assertThat(e.snapshotState(1).assigned()).containsExactly(BLOCKS_1, TXS_1, LOGS_1);
    }

    @Test
    void aRemovedStreamIsStoppedOnEveryReaderAndLeavesTheState() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();

        DESIRED.set(List.of(BLOCKS_1));
        discover();
        RemoveStreamsEvent remove = new RemoveStreamsEvent(List.of("txs#1"));
        assertThat(events(0)).containsExactly(remove);
        assertThat(events(1)).containsExactly(remove);
        assertThat(e.snapshotState(1).removing()).containsExactly(TXS_1);
        assertThat(e.snapshotState(1).assigned()).containsExactly(BLOCKS_1);

        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        assertThat(e.snapshotState(2).removing()).containsExactly(TXS_1);
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        AmpEnumState state = e.snapshotState(3);
        assertThat(state.removing()).containsExactly(TXS_1);
        assertThat(state.draining()).containsExactly("txs");
        e.notifyCheckpointComplete(3);
        assertThat(e.snapshotState(4).draining()).isEmpty();
        assertThat(e.snapshotState(4).removing()).isEmpty();
    }

    @Test
    void aChangedQueryStartsOnlyAfterTheOldStreamStoppedAndACheckpointCompletedBehindIt() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();

        DESIRED.set(List.of(BLOCKS_1, TXS_2, LOGS_1));
        discover();
        // logs is new and replaces nothing: it starts at once; txs#2 waits for txs#1.
        assertThat(assigned()).contains("logs#1").doesNotContain("txs#2");
        assertThat(e.snapshotState(1).held()).containsExactly(TXS_2);

        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        e.notifyCheckpointComplete(1);
        assertThat(assigned()).doesNotContain("txs#2");
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        // Confirmed after checkpoint 1 was taken: 1 completing proves nothing.
        e.notifyCheckpointComplete(1);
        assertThat(assigned()).doesNotContain("txs#2");
        e.snapshotState(2);
        assertThat(assigned()).doesNotContain("txs#2");
        e.notifyCheckpointComplete(2);
        assertThat(assigned()).contains("txs#2");
        assertThat(e.snapshotState(3).held()).isEmpty();
        assertThat(e.snapshotState(3).assigned()).contains(TXS_2).doesNotContain(TXS_1);
    }

    @Test
    void aRestoreInTheMiddleOfAChangeAsksTheReadersAgainAndWaitsForANewCheckpoint() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();
        DESIRED.set(List.of(BLOCKS_1, TXS_2));
        discover();
        AmpEnumState removing = e.snapshotState(1);
        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        AmpEnumState draining = e.snapshotState(2);
        assertThat(draining.draining()).containsExactly("txs");

        // Restored from checkpoint 1: the readers restored txs#1 and must drop it again.
        ctx = new TestingSplitEnumeratorContext<>(2);
        AmpSplitEnumerator r = enumerator(removing);
        r.start();
        register(r, 0, 1);
        discover();
        assertThat(events(0)).containsExactly(new RemoveStreamsEvent(List.of("txs#1")));
        assertThat(assigned()).isEmpty(); // blocks#1 is in reader state, txs#2 held
        r.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        r.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        r.snapshotState(3);
        r.notifyCheckpointComplete(3);
        assertThat(assigned()).containsExactly("txs#2");

        // Restored from checkpoint 2 (confirmed, not known to be behind a completed checkpoint).
        ctx = new TestingSplitEnumeratorContext<>(2);
        AmpSplitEnumerator d = enumerator(draining);
        d.start();
        register(d, 0, 1);
        discover();
        d.notifyCheckpointComplete(2);
        assertThat(assigned()).isEmpty();
        d.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        d.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        d.snapshotState(3);
        d.notifyCheckpointComplete(3);
        assertThat(assigned()).containsExactly("txs#2");
    }

    @Test
    void aFailoverOfTheReadersAloneBeforeTheDrainCompletedMakesThemConfirmAgain() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();
        DESIRED.set(List.of(BLOCKS_1, TXS_2));
        discover();
        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        e.snapshotState(1);
        // The tasks restart from an older checkpoint (this enumerator is not reset): reader 0 may
        // hold txs#1 again. Checkpoint 1 completing proves nothing about its restored state.
        e.addReader(0);
        assertThat(events(0)).last().isEqualTo(new RemoveStreamsEvent(List.of("txs#1")));
        e.notifyCheckpointComplete(1);
        assertThat(assigned()).doesNotContain("txs#2");
        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        e.snapshotState(2);
        e.notifyCheckpointComplete(2);
        assertThat(assigned()).contains("txs#2");
    }

    @Test
    void aReaderThatRegistersAgainMustConfirmAgain() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();
        DESIRED.set(List.of(BLOCKS_1));
        discover();
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        e.addReader(1); // restarted, possibly with txs#1 restored
        e.handleSourceEvent(0, new StreamsRemovedEvent(List.of("txs#1")));
        assertThat(e.snapshotState(1).draining()).isEmpty();
        e.handleSourceEvent(1, new StreamsRemovedEvent(List.of("txs#1")));
        assertThat(e.snapshotState(2).draining()).containsExactly("txs");
    }

    @Test
    void aStreamRemovedBeforeAReaderTookItStillDrainsBeforeItsSuccessor() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        discover(); // no reader yet: both streams pending
        DESIRED.set(List.of(BLOCKS_1, TXS_2));
        discover();
        assertThat(e.snapshotState(1).held()).containsExactly(TXS_2);
        assertThat(e.snapshotState(1).draining()).containsExactly("txs");
        e.notifyCheckpointComplete(1);
        register(e, 0, 1);
        assertThat(assigned()).containsExactlyInAnyOrder("blocks#1", "txs#2");
        assertThat(events(0)).isEmpty();
    }

    @Test
    void aFailingDiscoveryKeepsTheCurrentStreams() {
        AmpSplitEnumerator e = enumerator(null);
        e.start();
        register(e, 0, 1);
        discover();
        DESIRED.set(null);
        discover();
        assertThat(assigned()).containsExactlyInAnyOrder("blocks#1", "txs#1");
        assertThat(events(0)).isEmpty();
        assertThat(e.snapshotState(1).assigned()).containsExactly(BLOCKS_1, TXS_1);
    }
}
