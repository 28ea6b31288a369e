package dev.sluice.job.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.config.MergeSpec;
import dev.sluice.job.config.MergeSpec.Strategy;
import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed merge through Flink's operator harness: process → snapshot → new operator restored from
 * the snapshot → continue. What the restored operator emits proves its state: collapse's cancelling
 * rows, TOAST columns filled from the last version, late snapshot rows dropped, tombstones,
 * append's delete rows.
 */
class CdcMergeFunctionTest {

    static final TableRef T = TableRef.of("items");
    static final String[] COLS = {"id", "qty", "note"};

    private final List<
                    KeyedOneInputStreamOperatorTestHarness<String, CdcChange, PostgresSinkRecord>>
            harnesses = new ArrayList<>();
    private KeyedOneInputStreamOperatorTestHarness<String, CdcChange, PostgresSinkRecord> harness;
    private Strategy strategy;
    private long checkpoint;

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private void open(Strategy s, OperatorSubtaskState restored) throws Exception {
        strategy = s;
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new CdcMergeFunction(
                                        T,
                                        new MergeSpec(s, true, "_sign"),
                                        List.of("id"),
                                        Set.of("id", "qty", "note"))),
                        new UniqueKeySelector(List.of("id")),
                        Types.STRING);
        harness.getExecutionConfig().disableGenericTypes();
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
        open(strategy, snapshot);
    }

    private static CdcChange row(Op op, int id, Long qty, String note, long lsn) {
        Object[] v = {id, qty, note};
        return new CdcChange(
                op,
                "public",
                "items",
                COLS,
                null,
                op == Op.DELETE ? v : null,
                op == Op.DELETE ? null : v,
                null,
                lsn);
    }

    /** An update whose note (a TOASTed column) did not change and was not sent. */
    private static CdcChange toastUpdate(int id, long qty, long lsn) {
        return new CdcChange(
                Op.UPDATE,
                "public",
                "items",
                COLS,
                null,
                null,
                new Object[] {id, qty, "__debezium_unavailable_value"},
                new boolean[] {false, false, true},
                lsn);
    }

    private static CdcChange keyDelete(int id, long lsn) {
        return new CdcChange(
                Op.DELETE,
                "public",
                "items",
                new String[] {"id"},
                null,
                new Object[] {id},
                null,
                null,
                lsn);
    }

    private List<String> feed(CdcChange... changes) throws Exception {
        harness.getOutput().clear();
        for (CdcChange c : changes) {
            harness.processElement(c, 0);
        }
        List<String> out = new ArrayList<>();
        for (PostgresSinkRecord r : harness.extractOutputValues()) {
            if (r instanceof AddColumnRecord) {
                AddColumnRecord a = (AddColumnRecord) r;
                out.add("ADD " + a.column() + " " + a.sqlType());
                continue;
            }
            RowChangeRecord rc = (RowChangeRecord) r;
            StringBuilder b = new StringBuilder(rc.op().name());
            for (int i = 0; i < rc.columnCount(); i++) {
                b.append(i == 0 ? " " : ",").append(rc.column(i)).append('=').append(rc.value(i));
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void collapseCancelsTheVersionRestoredFromState() throws Exception {
        open(Strategy.COLLAPSE, null);
        assertThat(feed(row(Op.READ, 1, 10L, "a", 0), row(Op.UPDATE, 1, 11L, "b", 5)))
                .containsExactly(
                        "INSERT id=1,qty=10,note=a,_sign=1",
                        "INSERT id=1,qty=10,note=a,_sign=-1",
                        "INSERT id=1,qty=11,note=b,_sign=1");
        restart();
        assertThat(
                        feed(
                                toastUpdate(1, 12, 6), // note filled from the restored version
                                row(Op.READ, 1, 99L, "late snapshot row", 0),
                                keyDelete(1, 7),
                                keyDelete(1, 8), // already gone: nothing to cancel
                                row(Op.INSERT, 2, 20L, "c", 9)))
                .containsExactly(
                        "INSERT id=1,qty=11,note=b,_sign=-1",
                        "INSERT id=1,qty=12,note=b,_sign=1",
                        "INSERT id=1,qty=12,note=b,_sign=-1",
                        "INSERT id=2,qty=20,note=c,_sign=1");
        restart();
        // A tombstone survives the restore: re-inserting key 1 cancels nothing.
        assertThat(feed(row(Op.INSERT, 1, 13L, "d", 10), row(Op.UPDATE, 2, 21L, "e", 11)))
                .containsExactly(
                        "INSERT id=1,qty=13,note=d,_sign=1",
                        "INSERT id=2,qty=20,note=c,_sign=-1",
                        "INSERT id=2,qty=21,note=e,_sign=1");
    }

    @Test
    void upsertFillsToastFromStateAndLeavesItOutWithout() throws Exception {
        open(Strategy.UPSERT, null);
        assertThat(feed(row(Op.READ, 1, 10L, "long text", 0), toastUpdate(2, 5, 3)))
                .containsExactly(
                        "UPSERT id=1,qty=10,note=long text",
                        "UPSERT id=2,qty=5"); // no state for key 2: the target keeps its note
        restart();
        assertThat(feed(toastUpdate(1, 11, 4), keyDelete(2, 5), row(Op.READ, 2, 1L, "x", 0)))
                .containsExactly(
                        "UPSERT id=1,qty=11,note=long text", "DELETE id=2"); // late READ dropped
    }

    @Test
    void deleteInsertDeletesThenInserts() throws Exception {
        open(Strategy.DELETE_INSERT, null);
        feed(row(Op.READ, 1, 10L, "a", 0));
        restart();
        assertThat(feed(toastUpdate(1, 11, 2), keyDelete(1, 3)))
                .containsExactly("DELETE id=1", "INSERT id=1,qty=11,note=a", "DELETE id=1");
    }

    @Test
    void appendLogsEveryChangeAndADeleteCarriesTheLastVersion() throws Exception {
        open(Strategy.APPEND, null);
        assertThat(feed(row(Op.READ, 1, 10L, "a", 0), row(Op.UPDATE, 1, 11L, "b", 5)))
                .containsExactly(
                        "INSERT id=1,qty=10,note=a,_op=r,_lsn=0",
                        "INSERT id=1,qty=11,note=b,_op=u,_lsn=5");
        restart();
        assertThat(feed(keyDelete(1, 6), row(Op.INSERT, 1, 12L, "c", 7)))
                .containsExactly(
                        "INSERT id=1,qty=11,note=b,_op=d,_lsn=6",
                        "INSERT id=1,qty=12,note=c,_op=c,_lsn=7");
    }

    @Test
    void aNewSourceColumnIsAddedOnceBeforeTheFirstRowThatHasIt() throws Exception {
        open(Strategy.UPSERT, null);
        String[] cols = {"id", "qty", "note", "score"};
        CdcChange withScore =
                new CdcChange(
                        Op.INSERT,
                        "public",
                        "items",
                        cols,
                        new String[] {"int4", "int8", "text", "int4"},
                        null,
                        new Object[] {3, 1L, "n", 7},
                        null,
                        8);
        assertThat(feed(withScore, withScore))
                .containsExactly(
                        "ADD score int4",
                        "UPSERT id=3,qty=1,note=n,score=7",
                        "UPSERT id=3,qty=1,note=n,score=7");
    }
}
