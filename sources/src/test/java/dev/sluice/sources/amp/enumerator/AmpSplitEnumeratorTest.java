package dev.sluice.sources.amp.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import dev.sluice.sources.amp.split.AmpSplit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class AmpSplitEnumeratorTest {

    static final List<AmpStreamSpec> STREAMS =
            List.of(spec("blocks"), spec("transactions"), spec("logs"));

    static AmpStreamSpec spec(String table) {
        return new AmpStreamSpec("d." + table, table, "SELECT * FROM d." + table);
    }

    static Set<String> assignedTo(TestingSplitEnumeratorContext<AmpSplit> ctx, int subtask) {
        var state = ctx.getSplitAssignments().get(subtask);
        return state == null
                ? Set.of()
                : state.getAssignedSplits().stream()
                        .map(AmpSplit::splitId)
                        .collect(Collectors.toSet());
    }

    @Test
    void spreadsStreamsOverReadersByConfigurationOrder() {
        TestingSplitEnumeratorContext<AmpSplit> ctx = new TestingSplitEnumeratorContext<>(2);
        AmpSplitEnumerator enumerator = new AmpSplitEnumerator(ctx, STREAMS, null);
        enumerator.start();
        assertThat(ctx.getSplitAssignments()).isEmpty();

        ctx.registerReader(1, "h");
        enumerator.addReader(1);
        assertThat(assignedTo(ctx, 1)).containsExactly("d.transactions");

        ctx.registerReader(0, "h");
        enumerator.addReader(0);
        assertThat(assignedTo(ctx, 0)).containsExactlyInAnyOrder("d.blocks", "d.logs");
        assertThat(enumerator.snapshotState(1).pending()).isEmpty();
        assertThat(enumerator.snapshotState(1).assigned()).hasSize(3);
    }

    @Test
    void splitsGivenBackAreReassignedWithTheirProgress() {
        TestingSplitEnumeratorContext<AmpSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        AmpSplitEnumerator enumerator = new AmpSplitEnumerator(ctx, STREAMS, null);
        ctx.registerReader(0, "h");
        enumerator.addReader(0);
        AmpSplit progressed =
                new AmpSplit(
                        spec("logs"),
                        new ResumeCursor(Map.of("a", new BlockRef(9, "0x" + "1".repeat(64)))),
                        Map.of("a", 10L));
        enumerator.addSplitsBack(List.of(progressed), 0);
        assertThat(ctx.getSplitAssignments().get(0).getAssignedSplits()).contains(progressed);
    }

    @Test
    void restoredStateKeepsAssignedStreamsAndStartsNewOnes() {
        TestingSplitEnumeratorContext<AmpSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        AmpEnumState restored =
                new AmpEnumState(
                        List.of(spec("blocks"), spec("gone")),
                        List.of(AmpSplit.fresh(spec("old"))));
        AmpSplitEnumerator enumerator = new AmpSplitEnumerator(ctx, STREAMS, restored);
        ctx.registerReader(0, "h");
        enumerator.addReader(0);
        // blocks is in a reader's state already; transactions and logs are new; "old" is gone.
        assertThat(assignedTo(ctx, 0)).containsExactlyInAnyOrder("d.transactions", "d.logs");
    }
}
