package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.PostgresCommittable;
import dev.sluice.sinks.postgres.internal.PostgresCommittableSerializer;
import dev.sluice.sinks.postgres.internal.PostgresSinkRecordSerializer;
import dev.sluice.sinks.postgres.internal.PostgresWriterState;
import dev.sluice.sinks.postgres.internal.PostgresWriterStateSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Round trips of every persisted type, and refusal of unknown versions. */
class PostgresSerializersTest {

    private static final TableRef T = new TableRef("s", "t\"q");

    @Test
    void committableRoundTrips() throws IOException {
        PostgresCommittableSerializer s = new PostgresCommittableSerializer();
        for (PostgresCommittable c :
                List.of(
                        PostgresCommittable.prepared("sluice-3-17", 17, 3, 1000),
                        PostgresCommittable.wal("p-0-1", 1, 0, 2, new byte[] {1, 2, 3}),
                        new PostgresCommittable("p-0-3", 3, 0, 9, true, new byte[] {4}),
                        PostgresCommittable.wal("p-0-2", 2, 0, 0, new byte[0]))) {
            assertThat(s.deserialize(s.getVersion(), s.serialize(c))).isEqualTo(c);
        }
        assertThatThrownBy(() -> s.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 99");
    }

    @Test
    void writerStateRoundTrips() throws IOException {
        PostgresWriterStateSerializer s = new PostgresWriterStateSerializer();
        PostgresWriterState state = new PostgresWriterState("eth.main-1", 2, 4, 42);
        assertThat(s.deserialize(s.getVersion(), s.serialize(state))).isEqualTo(state);
        assertThatThrownBy(() -> s.deserialize(0, new byte[0])).isInstanceOf(IOException.class);
    }

    @Test
    void recordsRoundTripThroughTheExplicitTypeInfo() throws IOException {
        TypeSerializer<PostgresSinkRecord> s =
                PostgresSinkRecord.typeInfo().createSerializer(new SerializerConfigImpl());
        assertThat(s).isSameAs(PostgresSinkRecordSerializer.INSTANCE);
        String[] cols = new String[17];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = "c" + i;
        }
        Object[] values = {
            null,
            true,
            (short) -3,
            7,
            Long.MIN_VALUE,
            1.5f,
            -2.25,
            new BigDecimal("-123.456"),
            BigInteger.TWO.pow(100),
            "x".repeat(70_000),
            new byte[] {0, -1},
            LocalDate.of(2024, 2, 29),
            LocalTime.of(13, 14, 15, 123_456_789),
            LocalDateTime.of(1999, 12, 31, 23, 59, 59, 1),
            OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 5, ZoneOffset.ofHours(-3)),
            Instant.ofEpochSecond(-5, 7),
            UUID.randomUUID()
        };
        List<PostgresSinkRecord> records =
                List.of(
                        new ArrowBatchRecord(T, "eth", ArrowBatches.blocks(0, 3)),
                        new ArrowBatchRecord(T, null, new byte[] {9}),
                        new RollbackRecord(T, "polygon", 12),
                        new RollbackRecord(T, null, 0),
                        new ReplaceTableRecord(T, new byte[] {1, 2, 3}),
                        RowChangeRecord.insert(T, cols, values),
                        RowChangeRecord.upsert(
                                T, new String[] {"k", "v"}, new Object[] {1, "a"}, "k"),
                        RowChangeRecord.delete(T, new String[] {"k"}, new Object[] {1}),
                        new AddColumnRecord(T, "score", "int4"));
        DataOutputSerializer out = new DataOutputSerializer(128);
        for (PostgresSinkRecord r : records) {
            s.serialize(r, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (PostgresSinkRecord r : records) {
            PostgresSinkRecord back = s.deserialize(in);
            assertThat(back).isEqualTo(r).hasSameHashCodeAs(r);
        }
        assertThat(in.available()).isZero();
        assertThat(s.snapshotConfiguration().restoreSerializer()).isSameAs(s);
        byte[] unknown = out.getCopyOfBuffer();
        unknown[0] = 99; // the first record's kind: unknown
        assertThatThrownBy(() -> s.deserialize(new DataInputDeserializer(unknown)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("kind 99");
    }

    @Test
    void rowRecordsRejectUnsupportedValuesEarly() {
        assertThatThrownBy(
                        () ->
                                RowChangeRecord.insert(
                                        T, new String[] {"a"}, new Object[] {new Object()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported value type");
        assertThatThrownBy(
                        () ->
                                RowChangeRecord.upsert(
                                        T, new String[] {"a"}, new Object[] {1}, "missing"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
