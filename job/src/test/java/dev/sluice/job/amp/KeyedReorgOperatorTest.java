package dev.sluice.job.amp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tables merged by key: upserts, and rollbacks that restore the versions from before the fork. */
class KeyedReorgOperatorTest {

    static final TableRef T = new TableRef("public", "balances");
    static final Schema SCHEMA =
            new Schema(
                    List.of(
                            new Field(
                                    "_block_num",
                                    FieldType.notNullable(new ArrowType.Int(64, false)),
                                    null),
                            new Field("k", FieldType.notNullable(new ArrowType.Utf8()), null),
                            new Field("v", FieldType.nullable(new ArrowType.Int(64, true)), null)));

    private final List<
                    KeyedOneInputStreamOperatorTestHarness<String, AmpRecord, PostgresSinkRecord>>
            opened = new ArrayList<>();
    private KeyedOneInputStreamOperatorTestHarness<String, AmpRecord, PostgresSinkRecord> harness;
    private long checkpoint;

    @AfterEach
    void close() throws Exception {
        for (var h : opened) {
            h.close();
        }
    }

    private void open(OperatorSubtaskState restored) throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ReorgOperator(Map.of("s", T), Map.of("s", List.of("k")), 64)),
                        AmpRecord::stream,
                        Types.STRING);
        harness.setup(PostgresSinkRecord.typeInfo().createSerializer(new SerializerConfigImpl()));
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        opened.add(harness);
    }

    private void restart() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(++checkpoint, checkpoint);
        harness.close();
        open(snapshot);
    }

    /** Rows "k=v" all at {@code block}. */
    static AmpRecord rows(long block, String... kv) throws Exception {
        try (RootAllocator a = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a)) {
            UInt8Vector b = (UInt8Vector) root.getVector(0);
            VarCharVector k = (VarCharVector) root.getVector(1);
            BigIntVector v = (BigIntVector) root.getVector(2);
            for (int i = 0; i < kv.length; i++) {
                String[] p = kv[i].split("=");
                b.setSafe(i, block);
                k.setSafe(i, p[0].getBytes(StandardCharsets.UTF_8));
                v.setSafe(i, Long.parseLong(p[1]));
            }
            root.setRowCount(kv.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArrowStreamWriter w =
                    new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
                w.start();
                w.writeBatch();
                w.end();
            }
            return AmpRecord.data(
                    "s", "balances", List.of(range(block, block)), out.toByteArray(), kv.length);
        }
    }

    static BlockRange range(long start, long end) {
        return new BlockRange(
                "a",
                start,
                end,
                String.format("0x%064x", end + 1),
                start == 0 ? BlockHashes.ZERO : String.format("0x%064x", start),
                null);
    }

    private List<String> feed(AmpRecord... records) throws Exception {
        harness.getOutput().clear();
        for (AmpRecord r : records) {
            harness.processElement(r, 0);
        }
        List<String> out = new ArrayList<>();
        for (PostgresSinkRecord r : harness.extractOutputValues()) {
            RowChangeRecord c = (RowChangeRecord) r;
            if (c.op() == RowChangeRecord.Op.DELETE) {
                out.add("delete " + c.values()[0]);
            } else {
                out.add("upsert " + c.values()[1] + "=" + c.values()[2] + "@" + c.values()[0]);
            }
        }
        return out;
    }

    @Test
    void rollbackRestoresPriorVersionsAndDeletesKeysBornAfterTheFork() throws Exception {
        open(null);
        assertThat(
                        feed(
                                rows(1, "a=1", "b=1"),
                                AmpRecord.complete("s", "balances", List.of(range(1, 1)))))
                .containsExactly("upsert a=1@1", "upsert b=1@1");
        feed(rows(2, "a=2"), AmpRecord.complete("s", "balances", List.of(range(2, 2))));
        restart();
        feed(rows(3, "a=3", "c=3"));
        restart();
        assertThat(feed(AmpRecord.rollback("s", "balances", "a", 2)))
                .containsExactly("upsert a=1@1", "delete c");
        assertThat(feed(rows(2, "a=20"))).containsExactly("upsert a=20@2");
        restart();
        // A second reorg undoes the replacement, back to block 1's versions again.
        assertThat(feed(AmpRecord.rollback("s", "balances", "a", 2)))
                .containsExactly("upsert a=1@1");
        assertThat(feed(AmpRecord.rollback("s", "balances", "a", 1)))
                .containsExactly("delete a", "delete b");
    }

    @Test
    void versionsOutsideTheWindowArePrunedAndADeeperReorgStopsTheStream() throws Exception {
        open(null);
        feed(rows(1, "a=1"), AmpRecord.complete("s", "balances", List.of(range(1, 1))));
        for (long b = 2; b <= 200; b++) {
            feed(rows(b, "a=" + b), AmpRecord.complete("s", "balances", List.of(range(b, b))));
        }
        restart();
        // Within the window: a=150 was the version before block 151.
        assertThat(feed(AmpRecord.rollback("s", "balances", "a", 151)))
                .containsExactly("upsert a=150@150");
        // Deeper than 64 blocks from head 150: no partial restore, the stream stops.
        assertThat(feed(AmpRecord.rollback("s", "balances", "a", 50))).isEmpty();
        assertThat(feed(rows(50, "a=999"))).isEmpty();
    }
}
